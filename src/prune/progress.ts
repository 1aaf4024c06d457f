// Progress reporting for long steps (guard scans, scorer rounds, fine-tuning batches,
// accuracy): bars on stderr through cli-progress when stderr is a terminal; when it is
// not (a log file, CI, `rampart main`'s steps under a pipe), a line per step — every
// tick prints `label: done/total info`, throttled to one line per `minInterval` for a
// bar whose steps come faster (fine-tuning batches), and `label: done in S s` at the
// end — so a log shows where a long run is. Nothing at all when quiet (tests). Steps
// nest (IMP rounds contain fine-tuning epochs): each start() opens a bar below the
// current one and stop() closes the innermost.
import cliProgress from 'cli-progress';

export interface Progress {
  start(label: string, total: number): void;
  tick(n?: number, info?: string): void;
  stop(): void;
  /** One line that stays (e.g. a --max-drop candidate's outcome), printed above the bars. */
  log?(line: string): void;
}

export const silent: Progress = { start() {}, tick() {}, stop() {} };

export interface ProgressOptions {
  /** Where to write (default process.stderr); bars only when it is a terminal. */
  stream?: { write(s: string): unknown; isTTY?: boolean };
  /** Without a terminal: the least time between two lines of one bar, in ms (default 1000). */
  minInterval?: number;
  /** Clock in ms (default Date.now). */
  now?: () => number;
}

export function stderrProgress(o: ProgressOptions = {}): Progress {
  const stream = o.stream ?? process.stderr;
  return stream.isTTY ? barProgress(stream as NodeJS.WritableStream) : lineProgress(stream, o.minInterval ?? 1000, o.now ?? Date.now);
}

function lineProgress(stream: { write(s: string): unknown }, minInterval: number, now: () => number): Progress {
  const stack: { label: string; total: number; value: number; t0: number; printed: number | null }[] = [];
  const indent = () => '  '.repeat(Math.max(0, stack.length - 1));
  return {
    start(label, total) { stack.push({ label, total, value: 0, t0: now(), printed: null }); },
    tick(n = 1, info = '') {
      const s = stack[stack.length - 1];
      if (!s) return;
      s.value += n;
      const t = now();
      if (s.printed !== null && t - s.printed < minInterval && s.value < s.total) return;
      s.printed = t;
      stream.write(`${indent()}${s.label}: ${s.value}/${s.total}${info ? ` ${info}` : ''}\n`);
    },
    stop() {
      const s = stack[stack.length - 1];
      if (s) stream.write(`${indent()}${s.label}: done in ${((now() - s.t0) / 1000).toFixed(1)} s\n`);
      stack.pop();
    },
    log(line) { stream.write(`${'  '.repeat(stack.length)}${line}\n`); },
  };
}

function barProgress(stream: NodeJS.WritableStream): Progress {
  let multi: cliProgress.MultiBar | null = null;
  const stack: { bar: cliProgress.SingleBar; value: number }[] = [];
  return {
    start(label, total) {
      multi ??= new cliProgress.MultiBar({
        stream,
        format: '{label} [{bar}] {value}/{total} {info}',
        hideCursor: true,
        clearOnComplete: false,
      }, cliProgress.Presets.shades_classic);
      const bar = multi.create(total, 0, { label: label.padEnd(28).slice(0, 28), info: '' });
      stack.push({ bar, value: 0 });
    },
    tick(n = 1, info = '') {
      const top = stack[stack.length - 1];
      if (!top) return;
      top.value += n;
      top.bar.update(top.value, { info });
    },
    stop() {
      stack.pop();
      if (stack.length === 0 && multi) {
        multi.stop();
        multi = null;
      }
    },
    log(line) {
      if (multi) multi.log(`${line}\n`);
      else stream.write(`${line}\n`);
    },
  };
}
