// The accuracy budget (`rampart prune --max-drop P`): the highest overall sparsity
// whose accuracy on a validation split held out from the training data stays within
// P points of a baseline, after the configured fine-tuning. The spectral guard is the
// cheap first filter (docs/design/prune.md):
//
// - The baseline is, by default, the dense model fine-tuned the same way on the same
//   samples ('finetuned'), so a drop is what pruning costs. The zoo models were trained
//   on the whole training split, so the held-out samples were seen in training and
//   fine-tuning alone moves accuracy on them (about −1.3 points on the LSTM): against
//   the untouched dense model ('dense', still selectable) a budget under that drift
//   could never be met. Without fine-tuning the two coincide.
//
// - Candidates form one family, the guard's per-layer allocation (every target at its
//   limit L_i, as `--sparsity auto`) scaled, continuous at the spectral limit S*:
//   below it the sparsities scale, s_i = (S/S*)·L_i, so every layer backs off from its
//   limit in proportion; above it the densities scale, target i keeping
//   clamp(λ·(1 − L_i)·n_i, (1 − cap_i)·n_i, n_i) weights with λ solved so the total
//   kept is (1 − S)·N (waterFill): every layer goes past its limit in proportion to
//   the density the guard left it.
// - The limit S* is evaluated first. If it stays within the budget, only levels above
//   it are searched (bisection on [S*, top]); if not, only levels below (bisection on
//   [0, S*], level 0 assumed within: under the default baseline it is that model). So
//   the spectral verdict orders the search and skips the half that cannot hold the
//   answer; each candidate's own
//   verdict (does every mask pass the guard?) is reported beside its accuracy.
// - Bisection assumes accuracy falls with sparsity; the answer is the highest
//   candidate evaluated within the budget, so a non-monotone curve can only make it
//   conservative, never over budget.
import { RampartError } from '../../runtime/errors.ts';
import { waterFill } from './allocate.ts';

export interface FamilyTarget {
  name: string;
  size: number;
  /** The guard's sparsity for this target (its allocation under `--sparsity auto`). */
  limit: number;
  /** The highest sparsity it may reach (class cap, 0.99). */
  cap: number;
}

/** Per-target sparsities of level S of the family (S over the family's weights). */
export function familyRates(targets: FamilyTarget[], sparsity: number): Record<string, number> {
  const { limit } = familyRange(targets);
  if (sparsity <= limit) return Object.fromEntries(targets.map((t) => [t.name, limit > 0 ? (sparsity / limit) * t.limit : 0]));
  const N = targets.reduce((s, t) => s + t.size, 0);
  const keep = waterFill(
    targets.map((t) => (1 - t.limit) * t.size),
    targets.map((t) => (1 - t.cap) * t.size),
    targets.map((t) => (1 - t.limit) * t.size),
    (1 - sparsity) * N,
  );
  return Object.fromEntries(targets.map((t, i) => [t.name, Math.min(t.cap, Math.max(0, 1 - keep[i] / t.size))]));
}

/** The overall sparsity of the guard's allocation (λ = 1) and the highest the caps allow. */
export function familyRange(targets: FamilyTarget[]): { limit: number; top: number } {
  const N = targets.reduce((s, t) => s + t.size, 0);
  return {
    limit: targets.reduce((s, t) => s + t.limit * t.size, 0) / N,
    top: targets.reduce((s, t) => s + t.cap * t.size, 0) / N,
  };
}

export interface CandidateOutcome {
  /** Sparsity the masks reached over the family's weights. */
  sparsity: number;
  /** Validation accuracy after the configured fine-tuning. */
  accuracy: number;
  /** Every mask passes the guard. */
  spectral: boolean;
  /** The targets whose masks fail the guard. */
  failing: string[];
}

export interface Candidate extends CandidateOutcome {
  /** The level asked for. */
  level: number;
  /** Accuracy points lost against the baseline (negative: a gain). */
  drop: number;
  within: boolean;
  /** 'spectral limit' for S*, else 'above limit' / 'below limit'. */
  role: string;
  seconds: number;
}

export interface MaxDropSearch {
  /** Budget in accuracy points (1 = one point, 0.01 of accuracy). */
  maxDrop: number;
  /** The baseline's accuracy on the validation split (MaxDropBaseline). */
  baseline: number;
  /** S*, the guard's allocation. */
  limit: number;
  /** The highest level of the family. */
  top: number;
  /** Candidates after S* (default 4). */
  steps?: number;
  evaluate(level: number): Promise<CandidateOutcome>;
  onCandidate?(c: Candidate, index: number): void;
}

/** What a candidate's drop is measured against: the dense model fine-tuned like the candidates, or as it is. */
export type MaxDropBaseline = 'finetuned' | 'dense';
export const MAX_DROP_BASELINES: readonly MaxDropBaseline[] = ['finetuned', 'dense'];

export interface MaxDropReport {
  /** Budget in accuracy points. */
  maxDrop: number;
  /** Validation samples (the last of the training split) and dense accuracy on them. */
  valSize: number;
  denseAccuracy: number;
  /** The baseline measured ('finetuned' only when the candidates are fine-tuned; else the two are one model) and its validation accuracy. */
  baseline: MaxDropBaseline;
  baselineAccuracy: number;
  /** The guard's allocation (every target at its limit), overall over the budgeted weights. */
  spectralLimit: number;
  candidates: Candidate[];
  /** Index of the chosen candidate; -1: none was within the budget, the model stays dense. */
  chosen: number;
}

export interface MaxDropResult {
  candidates: Candidate[];
  /** Index of the chosen candidate (the highest sparsity within budget); -1: none, stay dense. */
  chosen: number;
}

export async function searchMaxDrop(o: MaxDropSearch): Promise<MaxDropResult> {
  if (!(o.maxDrop >= 0) || !Number.isFinite(o.maxDrop)) throw new RampartError(`--max-drop ${o.maxDrop}`, { expected: 'accuracy points ≥ 0, e.g. 1 for one point' });
  const steps = o.steps ?? 4;
  const candidates: Candidate[] = [];
  const run = async (level: number, role: string): Promise<Candidate> => {
    const t0 = Date.now();
    const r = await o.evaluate(level);
    const drop = 100 * (o.baseline - r.accuracy);
    // A rounding guard: 0.953 − 0.943 must count as one point, not 1.0000000000000009.
    const c: Candidate = { ...r, level, drop, within: drop <= o.maxDrop + 1e-9, role, seconds: (Date.now() - t0) / 1000 };
    candidates.push(c);
    o.onCandidate?.(c, candidates.length - 1);
    return c;
  };
  const first = await run(o.limit, 'spectral limit');
  // The bracket [good, bad]: good holds the budget (level 0 is the baseline's own model), bad does not (top is assumed not to).
  let good = first.within ? o.limit : 0;
  let bad = first.within ? o.top : o.limit;
  for (let k = 0; k < steps && bad - good > 1e-4; k++) {
    const c = await run((good + bad) / 2, first.within ? 'above limit' : 'below limit');
    if (c.within) good = c.level;
    else bad = c.level;
  }
  let chosen = -1;
  candidates.forEach((c, i) => {
    if (c.within && (chosen < 0 || c.sparsity > candidates[chosen].sparsity)) chosen = i;
  });
  return { candidates, chosen };
}
