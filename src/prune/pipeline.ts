// The pruning pipeline shared by `rampart prune` and bench/sweep.ts: the pass
// (prune.ts) wired to the real pieces — the spectral guard, tfjs gradients, a batch
// of real data for SNIP/GraSP, fine-tuning (src/train) between IMP rounds and after
// pruning, and accuracy (src/eval) before, after pruning and after fine-tuning.
import type { Model } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { loadDataset, modelInputLayout, toLayout, PIXELS, type Dataset, type DatasetName } from '../data/index.ts';
import { evaluateAccuracy } from '../eval/accuracy.ts';
import { finetune, type EpochRecord } from '../train/index.ts';
import { spectralCriterion } from './criterion.ts';
import { silent, type Progress } from './progress.ts';
import { prune, type PruneOptions, type PruneResult } from './prune.ts';
import { SCORERS, type Batch } from './scorers/index.ts';
import { applyMasks, matrixToStorage, pruneTargets } from './targets.ts';
import { tfjsGradients } from './tfgrad.ts';
import type { GuardCriterionName, Mask, PruneTarget } from './types.ts';

export type GuardName = GuardCriterionName | 'none';

export interface PipelineOptions extends Omit<PruneOptions, 'criterion' | 'batch' | 'onesShape' | 'gradients' | 'finetune' | 'progress'> {
  guard: GuardName;
  requireNarc?: boolean;
  perGate?: boolean;
  /** Opt-in: fraction of each graph's inputs and outputs that must keep an edge (criterion.ts). */
  minCoverage?: number;
  /** Dataset for SNIP/GraSP's batch, accuracy and fine-tuning. */
  data?: DatasetName;
  /** Samples in the scoring batch of SNIP and GraSP (default 256, from the train split). */
  scoreBatch?: number;
  /** Fine-tuning epochs after pruning (0: none). */
  epochs?: number;
  /** IMP: fine-tuning epochs between rounds (default 1). */
  impEpochs?: number;
  /** Use the first N training samples for fine-tuning. */
  trainLimit?: number;
  /** Evaluate on the first N test samples. */
  evalLimit?: number;
  /** Skip accuracy measurements. */
  noEval?: boolean;
  lr?: number;
  batchSize?: number;
  /** Learning-rate factor per epoch (1: constant). */
  lrDecay?: number;
  /** Clip gradients to this global norm. */
  clipNorm?: number;
  progress?: Progress;
}

export interface PipelineResult {
  result: PruneResult;
  /** Targets of the input model (weights before pruning). */
  before: PruneTarget[];
  /** The model to write: fine-tuned when epochs > 0, else the pruned one. */
  final: Model;
  accuracy: { dataset: string; n: number; before: number | null; afterPrune: number | null; afterFinetune: number | null } | null;
  history: EpochRecord[];
}

/** Masks in each initializer's storage layout, as src/train's finetune takes them. */
export function storageMasks(model: Model, targets: PruneTarget[], masks: Mask[]): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  targets.forEach((t, i) => (out[t.name] = Uint8Array.from(matrixToStorage(model, t, masks[i]))));
  return out;
}

/** The input dims of one sample (batch 1), for SynFlow's all-ones input. */
export function onesShape(model: Model): number[] {
  const input = model.graph.inputs.find((i) => !(i.name in model.graph.initializers));
  if (!input || input.shape === null) throw new RampartError('SynFlow needs a model input of known rank');
  try {
    const layout = modelInputLayout(input.shape);
    return toLayout({ images: new Float32Array(PIXELS), labels: new Uint8Array(1), n: 1 }, layout).dims;
  } catch {
    return input.shape.map((d) => (typeof d === 'number' ? d : 1));
  }
}

function scoringBatch(model: Model, ds: Dataset, n: number): Batch {
  const input = model.graph.inputs.find((i) => !(i.name in model.graph.initializers))!;
  const k = Math.min(n, ds.n);
  const sub = { images: ds.images.subarray(0, k * PIXELS), labels: ds.labels.subarray(0, k), n: k };
  return { input: toLayout(sub, modelInputLayout(input.shape)), labels: Uint8Array.from(sub.labels) };
}

export async function runPipeline(model: Model, o: PipelineOptions): Promise<PipelineResult> {
  const progress = o.progress ?? silent;
  const method = o.method;
  const scorer = method === 'imp' || method === 'erk' ? null : SCORERS[method as keyof typeof SCORERS];
  const needsData = scorer?.needsData ?? false;
  if (needsData && !o.data) throw new RampartError(`${method} scores with a batch of real data`, { expected: '--data <dataset> (or --finetune <dataset>)' });
  const train = o.data && (needsData || (o.epochs ?? 0) > 0 || method === 'imp') ? loadDataset(o.data, 'train', { limit: o.trainLimit }) : undefined;
  const test = o.data && !o.noEval ? loadDataset(o.data, 'test', { limit: o.evalLimit }) : undefined;
  const accuracyOf = async (m: Model, label: string): Promise<number | null> => {
    if (!test) return null;
    progress.start(`accuracy ${label}`, test.n);
    try {
      let last = 0;
      const r = await evaluateAccuracy(m, test, { runtime: 'ort', onProgress: (done) => { progress.tick(done - last); last = done; } });
      return r.accuracy;
    } finally {
      progress.stop();
    }
  };
  const tune = async (m: Model, targets: PruneTarget[], masks: Mask[], epochs: number, label: string) => {
    progress.start(label, epochs);
    try {
      const r = await finetune(m, train!, {
        epochs, masks: storageMasks(m, targets, masks), lr: o.lr, batchSize: o.batchSize, lrDecay: o.lrDecay, clipNorm: o.clipNorm,
        onEpoch: (e) => progress.tick(1, `loss ${e.loss.toFixed(3)} acc ${e.trainAccuracy.toFixed(3)}`),
      });
      return r;
    } finally {
      progress.stop();
    }
  };

  const before = pruneTargets(model);
  const accBefore = await accuracyOf(model, 'before');
  const history: EpochRecord[] = [];
  const result = await prune(model, {
    ...o,
    criterion: o.guard === 'none' ? null : spectralCriterion({ criterion: o.guard, requireNarc: o.requireNarc, perGate: o.perGate, minCoverage: o.minCoverage }),
    batch: needsData ? scoringBatch(model, train!, o.scoreBatch ?? 256) : undefined,
    onesShape: method === 'synflow' ? onesShape(model) : undefined,
    gradients: scorer?.needsGradients ? tfjsGradients : undefined,
    finetune: method === 'imp' && train
      ? async (m, targets, masks, round) => {
        const r = await tune(m, targets, masks, o.impEpochs ?? 1, `IMP fine-tune ${round + 1}`);
        history.push(...r.history);
        return r.model;
      }
      : undefined,
    progress,
  });
  const accPrune = await accuracyOf(result.model, 'after pruning');
  let final = result.model;
  let accTuned: number | null = null;
  if ((o.epochs ?? 0) > 0) {
    if (!train) throw new RampartError('fine-tuning needs a dataset', { expected: '--finetune <dataset>' });
    const r = await tune(result.model, result.targets, result.masks, o.epochs!, 'fine-tune');
    history.push(...r.history);
    // finetune keeps masked weights at +0; re-applying the masks makes that a fact of this file.
    final = applyMasks(r.model, result.targets, result.masks);
    accTuned = await accuracyOf(final, 'after fine-tuning');
  }
  return {
    result, before, final, history,
    accuracy: test ? { dataset: o.data!, n: test.n, before: accBefore, afterPrune: accPrune, afterFinetune: accTuned } : null,
  };
}
