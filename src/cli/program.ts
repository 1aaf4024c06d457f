// The rampart command line as a function: argv in, exit code out. Each command lives
// in src/cli/commands/<name>.ts and exports `register(program)`; this file only lists
// them and decides how a failure ends (docs/design/cli-data.md "Exit codes").
// src/cli/main.ts runs it as the process; the fuzz bench (bench/fuzz.ts) calls it in
// its worker processes, so the CLI it exercises is this one, not a copy.
import { Command } from 'commander';
import { RampartError } from '../../runtime/errors.ts';
import { parseMemorySize, setDefaultMemoryLimit } from '../../runtime/limits.ts';
import { printable, printableLines } from '../io/terminal.ts';

const COMMANDS = ['main', 'inspect', 'run', 'eval', 'analyze', 'prune', 'compile', 'bench', 'zoo'] as const;

/** Exit codes: bad input, bad usage (commander's), a bug in Rampart (BSD sysexits' EX_SOFTWARE). */
export const EXIT = { ok: 0, error: 1, usage: 2, internal: 70 } as const;

/**
 * Registers the invoked command only (or every command, for help and unknown names):
 * some commands pull in tfjs or vega, which costs seconds at start-up.
 */
async function build(argv: string[]): Promise<Command> {
  const program = new Command();
  program
    .name('rampart')
    .description('Prune RNN/LSTM/GRU/CNN models under a spectral-gap guard, compile them to CSR-sparse artifacts, run and benchmark them.')
    .option('--max-memory <size>', "memory a model's tensors may take, at load and in one run (e.g. 512M, 4G)", '1G')
    .showHelpAfterError()
    .exitOverride()
    .hook('preAction', (root) => setDefaultMemoryLimit(parseMemorySize(root.opts().maxMemory as string)));
  const invoked = argv.slice(2).find((a) => (COMMANDS as readonly string[]).includes(a));
  const names = invoked ? [invoked] : COMMANDS;
  for (const name of names) {
    const mod = (await import(`./commands/${name}.ts`)) as { register: (p: Command) => void };
    mod.register(program);
  }
  return program;
}

/** Runs one command line (`argv` as process.argv: node, script, args...) and returns its exit code. */
export async function runCli(argv: string[]): Promise<number> {
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
 * is a bug and shows its stack, exit 70, so it is never mistaken for bad input. Names
 * in a message come from the model file: they are printed escaped (src/io/terminal.ts).
 */
export function reportError(e: unknown): number {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    // commander already printed its message (or help).
    return code === 'commander.helpDisplayed' || code === 'commander.help' || code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  if (e instanceof RampartError) {
    process.stderr.write(`rampart: error: ${printable(e.message)}\n`);
    return EXIT.error;
  }
  const err = e as NodeJS.ErrnoException | null;
  if (err instanceof Error && typeof err.code === 'string' && typeof err.path === 'string') {
    process.stderr.write(`rampart: error: ${printable(`${err.path}: ${err.message}`)}\n`);
    return EXIT.error;
  }
  const text = err instanceof Error && err.stack ? err.stack : String(e);
  process.stderr.write(`rampart: internal error (a bug in Rampart; please report it):\n${printableLines(text)}\n`);
  return EXIT.internal;
}
