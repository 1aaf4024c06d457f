// Errors that carry their context: which file, node, op, and what was expected.
// Every user-facing failure in Rampart is a RampartError; the CLI prints its
// message and exits non-zero instead of showing a stack trace.

export interface ErrorContext {
  file?: string;
  node?: string;
  op?: string;
  /** What the code expected to find, in words ("a [N,28,28] float32 tensor"). */
  expected?: string;
}

export class RampartError extends Error {
  readonly context: ErrorContext;
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(formatMessage(message, context), options);
    this.name = 'RampartError';
    this.context = context;
  }
}

function formatMessage(message: string, c: ErrorContext): string {
  const where: string[] = [];
  if (c.file) where.push(c.file);
  if (c.node) where.push(`node '${c.node}'`);
  if (c.op) where.push(`op ${c.op}`);
  const prefix = where.length ? where.join(', ') + ': ' : '';
  const suffix = c.expected ? ` (expected ${c.expected})` : '';
  return prefix + message + suffix;
}

/** Re-throw `e` with more context filled in (inner context wins where both set a field). */
export function withContext(e: unknown, context: ErrorContext): RampartError {
  if (e instanceof RampartError) {
    const merged = { ...context, ...e.context };
    const err = new RampartError(stripContext(e), merged, { cause: e.cause });
    err.stack = e.stack;
    return err;
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new RampartError(msg, context, { cause: e });
}

function stripContext(e: RampartError): string {
  // Rebuild the bare message: drop the prefix/suffix formatMessage added.
  let m = e.message;
  const c = e.context;
  const where: string[] = [];
  if (c.file) where.push(c.file);
  if (c.node) where.push(`node '${c.node}'`);
  if (c.op) where.push(`op ${c.op}`);
  const prefix = where.length ? where.join(', ') + ': ' : '';
  if (prefix && m.startsWith(prefix)) m = m.slice(prefix.length);
  const suffix = c.expected ? ` (expected ${c.expected})` : '';
  if (suffix && m.endsWith(suffix)) m = m.slice(0, -suffix.length);
  return m;
}
