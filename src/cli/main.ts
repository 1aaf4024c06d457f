// The rampart command line. Each command lives in src/cli/commands/<name>.ts and
// exports `register(program)`; this file only lists them.
import { Command } from 'commander';
import { RampartError } from '../../runtime/errors.ts';

const COMMANDS = ['main', 'inspect', 'run', 'eval', 'analyze', 'prune', 'compile', 'zoo'] as const;

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

export async function main(argv: string[]): Promise<number> {
  const program = await build(argv);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    return reportError(e);
  }
}

/** Prints a user-facing error (no stack trace for expected failures) and returns the exit code. */
export function reportError(e: unknown): number {
  const code = (e as { code?: string }).code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    // commander already printed its message (or help).
    return code === 'commander.helpDisplayed' || code === 'commander.help' || code === 'commander.version' ? 0 : 2;
  }
  if (e instanceof RampartError) {
    process.stderr.write(`rampart: error: ${e.message}\n`);
    return 1;
  }
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.path === 'string') {
    process.stderr.write(`rampart: error: ${err.path}: ${err.message}\n`);
    return 1;
  }
  process.stderr.write(`rampart: internal error: ${err && err.stack ? err.stack : String(e)}\n`);
  return 70;
}

process.exitCode = await main(process.argv);
