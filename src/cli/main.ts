// The rampart process: runs the command line (src/cli/program.ts) and decides what a
// failed write to stdout or stderr means.
import { EXIT, runCli } from './program.ts';

/**
 * A reader that stops early (`rampart analyze m.onnx | head -1`) closes the pipe; the
 * next write fails with EPIPE, asynchronously, on the stream. That is the reader's
 * choice, not a failure: end quietly with exit 0, as a tool killed by SIGPIPE would
 * stop (node ignores SIGPIPE, so without this the error would surface as a stack).
 * Any other failure to write stdout (`> /dev/full`, a full disk) is the environment's,
 * not a bug: one line on stderr, exit 1.
 */
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT.ok);
  process.stderr.write(`rampart: error: cannot write to stdout: ${e.message}\n`);
  process.exit(EXIT.error);
});
// stderr has nowhere to report its own failure (`2>/dev/full`, a closed pipe): the
// message is lost, the exit code still says what happened.
process.stderr.on('error', () => {});

process.exitCode = await runCli(process.argv);
