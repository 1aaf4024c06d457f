// The --max-drop run (docs/design/prune.md): the validation split held out from the
// training data, dense accuracy on it, the baseline (by default the dense model
// fine-tuned as the candidates will be), the guard's allocation, then maxdrop.ts's
// candidates, each pruned, fine-tuned as configured and validated by the pipeline's
// own pieces (passed in, so this file adds no second way to prune, tune or score).
import type { Model } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { PIXELS, type Dataset } from '../data/index.ts';
import type { EpochRecord } from '../train/index.ts';
import { fmt } from './guard.ts';
import { familyRange, familyRates, searchMaxDrop, type FamilyTarget, type MaxDropBaseline, type MaxDropReport } from './maxdrop.ts';
import type { Progress } from './progress.ts';
import { prune, type PruneOptions, type PruneResult } from './prune.ts';
import type { Criterion } from './types.ts';

export const DEFAULT_VAL_SIZE = 1000;

/** Rows [from, to) of a dataset (views). */
function rows(ds: Dataset, from: number, to: number): Dataset {
  return { ...ds, images: ds.images.subarray(from * PIXELS, to * PIXELS), labels: ds.labels.subarray(from, to), n: to - from };
}

/**
 * The --max-drop split of the training data: the last `valSize` samples validate, the
 * samples before them train (the first `trainLimit` of those). Deterministic, and
 * never the test split. MNIST's train split is interleaved by class (src/data), so its
 * tail is class-balanced too.
 */
export function holdOut(train: Dataset, valSize: number, trainLimit?: number): { fit: Dataset; val: Dataset } {
  if (!Number.isInteger(valSize) || valSize < 1 || valSize >= train.n) {
    throw new RampartError(`validation size ${valSize} of ${train.n} training samples`, { expected: `an integer in [1, ${train.n - 1}]` });
  }
  const cut = train.n - valSize;
  return { fit: rows(train, 0, Math.min(cut, trainLimit ?? cut)), val: rows(train, cut, train.n) };
}

/** A pruned result and, when fine-tuning ran, the tuned model with the masks re-applied. */
export type Tuned = { result: PruneResult; tuned: Model | null };

export interface SearchContext {
  model: Model;
  o: Pick<PruneOptions, 'rates' | 'caps' | 'search'> & { maxDrop?: number; maxDropSteps?: number; maxDropBaseline?: MaxDropBaseline };
  /** Candidates are fine-tuned (after pruning, or between IMP rounds): the 'finetuned' baseline differs from dense. */
  finetunes: boolean;
  base: PruneOptions;
  criterion: Criterion;
  val: Dataset;
  accuracyOn: (m: Model, ds: Dataset, label: string) => Promise<number>;
  pruneAndTune: (opts: PruneOptions, sink: EpochRecord[]) => Promise<Tuned>;
  impTune: (sink: EpochRecord[]) => PruneOptions['finetune'];
  progress: Progress;
}

/** --max-drop: the guard's allocation first, then the family of maxdrop.ts, each candidate pruned, tuned and validated. */
export async function searchLevel(ctx: SearchContext): Promise<{ chosen: Tuned; history: EpochRecord[]; report: MaxDropReport }> {
  const { model, o, base, criterion, val, accuracyOn, pruneAndTune, progress } = ctx;
  const dense = await accuracyOn(model, val, 'dense (validation)');
  // The guard's allocation, as `--sparsity auto` makes it (IMP with its fine-tuning between rounds).
  const guarded = await prune(model, { ...base, sparsity: 'auto', finetune: ctx.impTune([]) });
  // The baseline: every weight dense, through the candidates' own prune-and-tune path,
  // so it sees the same samples, epochs, schedule and seed (maxdrop.ts says why).
  // Without fine-tuning the two baselines are one model: the report then says 'dense'.
  const baselineKind: MaxDropBaseline = (o.maxDropBaseline ?? 'finetuned') === 'finetuned' && ctx.finetunes ? 'finetuned' : 'dense';
  let baseline = dense;
  if (baselineKind === 'finetuned') {
    const ref = await pruneAndTune({ ...base, sparsity: 0, criterion: null, targetRates: Object.fromEntries(guarded.report.map((r) => [r.name, 0])) }, []);
    baseline = await accuracyOn(ref.tuned ?? ref.result.model, val, 'dense fine-tuned (validation)');
  }
  const maxS = o.search?.max ?? 0.99;
  const family: FamilyTarget[] = guarded.report
    .filter((r) => o.rates?.[r.graph] === undefined)
    .map((r) => ({ name: r.name, size: r.size, limit: r.sparsity, cap: Math.min(o.caps?.[r.graph] ?? 1, maxS) }));
  if (family.length === 0) throw new RampartError('--max-drop has no weight to search over: every kind has a fixed rate', { expected: 'at least one of W, R, weight without --w/--r/--other-sparsity or --only' });
  const range = familyRange(family);
  const inFamily = new Set(family.map((t) => t.name));
  /** Sparsity over the family's weights (the targets without a class rate). */
  const familySparsity = (r: PruneResult) => {
    const rs = r.report.filter((x) => inFamily.has(x.name));
    return rs.reduce((a, x) => a + x.sparsity * x.size, 0) / rs.reduce((a, x) => a + x.size, 0);
  };
  const steps = o.maxDropSteps ?? 4;
  // Only the best candidate's models are kept (the one searchMaxDrop will choose: the highest sparsity within budget).
  let last: Tuned & { history: EpochRecord[] } = { result: guarded, tuned: null, history: [] };
  let best: (Tuned & { history: EpochRecord[] }) | null = null;
  let bestIndex = -1;
  progress.start('max-drop search', steps + 1);
  const search = await searchMaxDrop({
    maxDrop: o.maxDrop!, baseline, limit: range.limit, top: range.top, steps,
    evaluate: async (level) => {
      const history: EpochRecord[] = [];
      // Unguarded at the family's per-target rates: candidates above the spectral limit are allowed.
      last = { ...(await pruneAndTune({ ...base, sparsity: 0, criterion: null, targetRates: familyRates(family, level) }, history)), history };
      const accuracy = await accuracyOn(last.tuned ?? last.result.model, val, `candidate ${fmt(level)} (validation)`);
      const failing = last.result.targets.filter((t, i) => !criterion(t, last.result.masks[i]).pass).map((t) => t.name);
      return { sparsity: familySparsity(last.result), accuracy, spectral: failing.length === 0, failing };
    },
    onCandidate: (c, i) => {
      if (c.within && (bestIndex < 0 || c.sparsity > familySparsity(best!.result))) {
        best = last;
        bestIndex = i;
      }
      progress.log?.(`candidate ${i + 1} (${c.role}): sparsity ${fmt(c.sparsity)}, spectral ${c.spectral ? 'pass' : `fail (${c.failing.join(', ')})`}, ` +
        `validation ${c.accuracy.toFixed(4)} (${c.drop >= 0 ? '−' : '+'}${Math.abs(c.drop).toFixed(2)} points: ${c.within ? 'within' : 'over'} ${o.maxDrop})`);
      progress.tick(1, `${fmt(c.sparsity)} ${c.within ? 'within' : 'over'}`);
    },
  });
  progress.stop();
  const kept = best as (Tuned & { history: EpochRecord[] }) | null;
  let chosen: Tuned;
  let history: EpochRecord[] = [];
  if (search.chosen >= 0 && kept && bestIndex === search.chosen) {
    chosen = kept;
    history = kept.history;
  } else {
    // No candidate within the budget: dense it is.
    chosen = { result: await prune(model, { ...base, sparsity: 0, criterion: null, targetRates: familyRates(family, 0), finetune: undefined }), tuned: null };
  }
  // The report keeps the guard's limits and curves, and judges the chosen masks.
  chosen.result.report.forEach((r, i) => {
    const g = guarded.report[i];
    r.limit = g.limit;
    r.curve = g.curve;
    r.verdict = criterion(chosen.result.targets[i], chosen.result.masks[i]);
    r.notes = [...g.notes, ...r.notes.filter((n) => !/^guard:/.test(n))];
  });
  const picked = search.chosen >= 0 ? search.candidates[search.chosen] : null;
  const against = baselineKind === 'finetuned' ? `baseline dense fine-tuned ${baseline.toFixed(4)}, dense ${dense.toFixed(4)}` : `baseline dense ${dense.toFixed(4)}`;
  chosen.result.notes.push(picked
    ? `--max-drop ${o.maxDrop}: chose ${fmt(picked.sparsity)} (validation ${picked.accuracy.toFixed(4)}, ${against}; spectral limit ${fmt(range.limit)}, ${picked.spectral ? 'passes' : 'beyond'} the guard)`
    : `--max-drop ${o.maxDrop}: no candidate stayed within the budget (${against} on validation); the model stays dense`);
  return {
    chosen, history,
    report: {
      maxDrop: o.maxDrop!, valSize: val.n, denseAccuracy: dense, baseline: baselineKind, baselineAccuracy: baseline,
      spectralLimit: range.limit, candidates: search.candidates, chosen: search.chosen,
    },
  };
}

