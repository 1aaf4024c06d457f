// The median of a list of timings: latency here and in bench/ is reported as the
// median of many runs, which one slow run (a GC pause, another process) cannot move.
export function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
