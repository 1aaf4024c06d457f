// Errors that carry their context: which file, node, op, and what was expected.
// A RampartError means the input is bad (the model, a tensor, a flag): the CLI prints
// its message on one line and exits 1. Any other exception is a bug in Rampart and
// must stay one: nothing here turns it into a RampartError, so it reaches the CLI
// with its own stack and exits 70 (src/cli/main.ts).

export interface ErrorContext {
  file?: string;
  node?: string;
  op?: string;
  /** What the code expected to find, in words ("a [N,28,28] float32 tensor"). */
  expected?: string;
}

export class RampartError extends Error {
  readonly context: ErrorContext;
  /** The message without the context formatMessage wraps around it. */
  readonly detail: string;
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(formatMessage(message, context), options);
    this.name = 'RampartError';
    this.context = context;
    this.detail = message;
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

/**
 * `e` with more context filled in (inner context wins where both set a field), for
 * `throw withContext(e, ...)` in a catch. Only a RampartError is decorated; anything
 * else is returned as it is, so a bug is not dressed up as bad input at node X.
 */
export function withContext(e: RampartError, context: ErrorContext): RampartError;
export function withContext(e: unknown, context: ErrorContext): unknown;
export function withContext(e: unknown, context: ErrorContext): unknown {
  if (!(e instanceof RampartError)) return e;
  const err = new RampartError(e.detail, { ...context, ...e.context }, { cause: e.cause });
  err.stack = e.stack;
  return err;
}
