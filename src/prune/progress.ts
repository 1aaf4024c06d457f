// Progress reporting for long steps (guard scans, scorer rounds, epochs): bars on
// stderr through cli-progress when stderr is a terminal, one line per finished
// step otherwise (logs stay readable), nothing at all when quiet (tests). Steps
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

export function stderrProgress(): Progress {
  if (!process.stderr.isTTY) {
    const stack: { label: string; t0: number }[] = [];
    return {
      start(label) { stack.push({ label, t0: Date.now() }); },
      tick() {},
      stop() {
        const s = stack.pop();
        if (s) process.stderr.write(`${'  '.repeat(stack.length)}${s.label}: done in ${((Date.now() - s.t0) / 1000).toFixed(1)} s\n`);
      },
      log(line) { process.stderr.write(`${'  '.repeat(stack.length)}${line}\n`); },
    };
  }
  let multi: cliProgress.MultiBar | null = null;
  const stack: { bar: cliProgress.SingleBar; value: number }[] = [];
  return {
    start(label, total) {
      multi ??= new cliProgress.MultiBar({
        stream: process.stderr,
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
      else process.stderr.write(`${line}\n`);
    },
  };
}
