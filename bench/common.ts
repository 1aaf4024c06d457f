// Shared bench helpers: timing (median of many runs in one process), the machine's
// conditions, and writing results (through the product's atomic writer).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../src/io/atomic.ts';
import { median } from '../src/eval/median.ts';

/** Median time in ms of fn, running at least minRuns times and about budgetMs in total (after warm-up). */
export function medianMs(fn: () => void, budgetMs = 300, minRuns = 15, maxRuns = 5000): number {
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || (performance.now() - start < budgetMs && times.length < maxRuns)) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

export async function medianMsAsync(fn: () => Promise<unknown>, budgetMs = 300, minRuns = 15, maxRuns = 5000): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || (performance.now() - start < budgetMs && times.length < maxRuns)) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

/**
 * Least time in ms of fn over many runs: under contention from other processes the
 * minimum is the stable estimate of what the code itself costs (used where two
 * kernels are compared with each other rather than reported as latency).
 */
export function minMs(fn: () => void, budgetMs = 100, minRuns = 20): number {
  for (let i = 0; i < 3; i++) fn();
  let best = Infinity;
  const start = performance.now();
  for (let n = 0; n < minRuns || performance.now() - start < budgetMs; n++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

// The machine's conditions are product code (rampart bench records them too).
export { conditions, type Conditions } from '../src/bench/conditions.ts';

export function writeJson(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, JSON.stringify(data, null, 1) + '\n');
}

export function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}
