// The rampart command line. Each command lives in src/cli/commands/<name>.ts and
// exports `register(program)`; this file only lists them, and decides how a failure
// ends (docs/design/cli-data.md "Exit codes").
import { Command } from 'commander';
import { RampartError } from '../../runtime/errors.ts';

const COMMANDS = ['main', 'inspect', 'run', 'eval', 'analyze', 'prune', 'compile', 'zoo'] as const;

/** Exit codes: bad input, bad usage (commander's), a bug in Rampart (BSD sysexits' EX_SOFTWARE). */
const EXIT = { ok: 0, error: 1, usage: 2, internal: 70 } as const;

/**
 * Registers the invoked command only (or every command, for help and unknown names):
 * some commands pull in tfjs or vega, which costs seconds at start-up.
 */
async function build(argv: string[]): Promise<Command> {
  const program = new Command();
  program
    .name('rampart')
    .description('Prune RNN/LSTM/GRU/CNN models under a spectral-gap guard, compile them to CSR-sparse artifacts, run and benchmark them.')
    .showHelpAfterError()
    .exitOverride();
  const invoked = argv[2];
  const names = (COMMANDS as readonly string[]).includes(invoked) ? [invoked] : COMMANDS;
  for (const name of names) {
    const mod = (await import(`./commands/${name}.ts`)) as { register: (p: Command) => void };
    mod.register(program);
  }
  return program;
}

/**
 * A reader that stops early (`rampart analyze m.onnx | head -1`) closes the pipe; the
 * next write fails with EPIPE, asynchronously, on the stream. That is the reader's
 * choice, not a failure: end quietly with exit 0, as a tool killed by SIGPIPE would
 * stop (node ignores SIGPIPE, so without this the error would surface as a stack).
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream, name: string): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.ok);
    // Any other failure to write (a full disk under `> file`) is the environment's, not a bug.
    if (name !== 'stderr') process.stderr.write(`rampart: error: cannot write to ${name}: ${e.message}\n`);
    process.exit(EXIT.error);
  });
}

export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedPipe(process.stdout, 'stdout');
  endQuietlyOnClosedPipe(process.stderr, 'stderr');
  try {
    const program = await build(argv);
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (e) {
    return reportError(e);
  }
}

/**
 * Prints a failure and returns the exit code. Bad input (a RampartError, or a file
 * the system cannot open, which names its path) is one line and exit 1; anything else
 * is a bug and shows its stack, exit 70, so it is never mistaken for bad input.
 */
function reportError(e: unknown): number {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    // commander already printed its message (or help).
    return code === 'commander.helpDisplayed' || code === 'commander.help' || code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  if (e instanceof RampartError) {
    process.stderr.write(`rampart: error: ${e.message}\n`);
    return EXIT.error;
  }
  const err = e as NodeJS.ErrnoException | null;
  if (err instanceof Error && typeof err.code === 'string' && typeof err.path === 'string') {
    process.stderr.write(`rampart: error: ${err.path}: ${err.message}\n`);
    return EXIT.error;
  }
  process.stderr.write(`rampart: internal error (a bug in Rampart; please report it):\n${err instanceof Error && err.stack ? err.stack : String(e)}\n`);
  return EXIT.internal;
}

process.exitCode = await main(process.argv);
