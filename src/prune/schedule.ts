// Sparsity schedules for iterative pruning: the target sparsity after round r of R
// (r = 0 … R−1), starting from `initial` and ending exactly at `final`.
//   exponential (Synaptic-Flow): density_r = d0 · (d / d0)^((r+1)/R), with d = 1 − final,
//     d0 = 1 − initial; from dense this is the reference's `sparsity**((epoch+1)/epochs)`
//     (its `sparsity` is the fraction kept).
//   polynomial (tfmot PolynomialDecay): s_r = final + (initial − final)·(1 − (r+1)/R)^power,
//     power 3 by default, as in tfmot.
//   linear (Synaptic-Flow's other schedule): density falls linearly.
import { RampartError } from '../../runtime/errors.ts';

export type ScheduleKind = 'exponential' | 'polynomial' | 'linear';

export function scheduleSparsity(kind: ScheduleKind, round: number, rounds: number, final: number, initial = 0, power = 3): number {
  if (!(rounds >= 1 && round >= 0 && round < rounds)) {
    throw new RampartError(`schedule round ${round} of ${rounds}`, { expected: '0 ≤ round < rounds' });
  }
  const t = (round + 1) / rounds;
  if (round === rounds - 1) return final;
  switch (kind) {
    case 'exponential': {
      const d0 = 1 - initial;
      const d = 1 - final;
      if (d0 <= 0) return final;
      return 1 - d0 * Math.pow(d / d0, t);
    }
    case 'polynomial':
      return final + (initial - final) * Math.pow(1 - t, power);
    case 'linear':
      return initial + (final - initial) * t;
  }
}
