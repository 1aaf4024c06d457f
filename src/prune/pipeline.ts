// The pruning pipeline shared by `rampart prune` and bench/sweep.ts: the pass
// (prune.ts) wired to the real pieces — the spectral guard, tfjs gradients, a batch
// of real data for SNIP/GraSP, fine-tuning (src/train) between IMP rounds and after
// pruning, and accuracy (src/eval) before, after pruning and after fine-tuning.
// With `maxDrop` the level is searched against a validation split held out from the
// training data (maxdrop.ts); the test split only ever reports.
import type { Model } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { loadDataset, modelInputLayout, toLayout, PIXELS, type Dataset, type DatasetName } from '../data/index.ts';
import { evaluateAccuracy } from '../eval/accuracy.ts';
import { finetune, type EpochRecord } from '../train/index.ts';
import { spectralCriterion } from './criterion.ts';
import type { MaxDropBaseline, MaxDropReport } from './maxdrop.ts';
import { DEFAULT_VAL_SIZE, holdOut, searchLevel, type Tuned } from './maxdrop-run.ts';

export type { MaxDropReport };
export { DEFAULT_VAL_SIZE, holdOut };
import { silent, type Progress } from './progress.ts';
import { prune, type PruneOptions, type PruneResult } from './prune.ts';
import { METHODS } from './scorers/index.ts';
import { applyMasks, matrixToStorage, pruneTargets } from './targets.ts';
import { tfjsGradients } from './tfgrad.ts';
import type { Batch, GuardCriterionName, Mask, PruneTarget } from './types.ts';

export type GuardName = GuardCriterionName | 'none';

export interface PipelineOptions extends Omit<PruneOptions, 'criterion' | 'batch' | 'onesShape' | 'gradients' | 'finetune' | 'progress'> {
  guard: GuardName;
  requireNarc?: boolean;
  perGate?: boolean;
  /** Fraction of each graph's inputs and outputs that must keep an edge (criterion.ts; default DEFAULT_MIN_COVERAGE, 0: off). */
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
  /** Accuracy budget in points: search the highest level within it on a held-out validation split (maxdrop.ts). */
  maxDrop?: number;
  /** Samples held out from the end of the training split for --max-drop (default 1000). */
  valSize?: number;
  /** --max-drop candidates after the spectral limit (default 4). */
  maxDropSteps?: number;
  /** --max-drop: drops against the dense model fine-tuned like the candidates (default) or as it is (maxdrop.ts). */
  maxDropBaseline?: MaxDropBaseline;
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
  maxDrop: MaxDropReport | null;
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
  const method = METHODS[o.method];
  if (!method) throw new RampartError(`unknown pruning method '${o.method}'`, { expected: Object.keys(METHODS).join(', ') });
  const scorer = method.scorer(o);
  const needsData = scorer.needsData;
  const maxDrop = o.maxDrop !== undefined;
  if (needsData && !o.data) throw new RampartError(`${o.method} scores with a batch of real data`, { expected: '--data <dataset> (or --finetune <dataset>)' });
  if (maxDrop) {
    if (!o.data) throw new RampartError('--max-drop measures accuracy on data held out from the training split', { expected: '--data <dataset> (or --finetune <dataset>)' });
    if (o.guard === 'none') throw new RampartError("--max-drop scales the guard's allocation, so it needs a guard", { expected: 'a guard other than none' });
    if (o.sparsity !== 'auto') throw new RampartError('--max-drop searches the sparsity itself', { expected: '--sparsity auto (the default) with --max-drop' });
  }
  const wantTrain = needsData || (o.epochs ?? 0) > 0 || method.finetunesBetweenRounds || maxDrop;
  let train: Dataset | undefined;
  let val: Dataset | undefined;
  if (o.data && wantTrain) {
    if (maxDrop) ({ fit: train, val } = holdOut(loadDataset(o.data, 'train'), o.valSize ?? DEFAULT_VAL_SIZE, o.trainLimit));
    else train = loadDataset(o.data, 'train', { limit: o.trainLimit });
  }
  const test = o.data && !o.noEval ? loadDataset(o.data, 'test', { limit: o.evalLimit }) : undefined;
  const accuracyOn = async (m: Model, ds: Dataset, label: string): Promise<number> => {
    progress.start(`accuracy ${label}`, ds.n);
    try {
      let last = 0;
      const r = await evaluateAccuracy(m, ds, { runtime: 'ort', onProgress: (done) => { progress.tick(done - last); last = done; } });
      return r.accuracy;
    } finally {
      progress.stop();
    }
  };
  const accuracyOf = async (m: Model, label: string): Promise<number | null> => (test ? accuracyOn(m, test, label) : null);
  // Fine-tuning reports per batch (finetune's onProgress): the bar opens at the first
  // batch, when finetune has said how many there are, and each epoch leaves a line.
  const tune = async (m: Model, targets: PruneTarget[], masks: Mask[], epochs: number, label: string) => {
    let open = false;
    try {
      return await finetune(m, train!, {
        epochs, masks: storageMasks(m, targets, masks), lr: o.lr, batchSize: o.batchSize, lrDecay: o.lrDecay, clipNorm: o.clipNorm,
        onProgress: (p) => {
          if (!open) { progress.start(label, p.epochs * p.steps); open = true; }
          progress.tick(1, `epoch ${p.epoch}/${p.epochs} batch ${p.step}/${p.steps} loss ${p.loss.toFixed(3)} acc ${p.accuracy.toFixed(3)}`);
        },
        onEpoch: (e) => progress.log?.(`${label}: epoch ${e.epoch}/${epochs} loss ${e.loss.toFixed(3)} acc ${e.trainAccuracy.toFixed(3)} (${e.seconds.toFixed(1)} s)`),
      });
    } finally {
      if (open) progress.stop();
    }
  };
  const criterion = o.guard === 'none' ? null : spectralCriterion({ criterion: o.guard, requireNarc: o.requireNarc, perGate: o.perGate, minCoverage: o.minCoverage });
  const base: PruneOptions = {
    ...o,
    criterion,
    batch: needsData ? scoringBatch(model, train!, o.scoreBatch ?? 256) : undefined,
    onesShape: scorer.needsInputShape ? onesShape(model) : undefined,
    gradients: scorer.needsGradients ? tfjsGradients : undefined,
    progress,
  };
  const history: EpochRecord[] = [];
  const impTune = (sink: EpochRecord[]): PruneOptions['finetune'] => (method.finetunesBetweenRounds && train
    ? async (m, targets, masks, round) => {
      const r = await tune(m, targets, masks, o.impEpochs ?? 1, `${o.method} fine-tune ${round + 1}`);
      sink.push(...r.history);
      return r.model;
    }
    : undefined);
  /** Prune, then fine-tune with the masks fixed (re-applied, so pruned weights are exactly zero in the file). */
  const pruneAndTune = async (opts: PruneOptions, sink: EpochRecord[]): Promise<Tuned> => {
    const result = await prune(model, { ...opts, finetune: impTune(sink) });
    if ((o.epochs ?? 0) === 0) return { result, tuned: null };
    if (!train) throw new RampartError('fine-tuning needs a dataset', { expected: '--finetune <dataset>' });
    const r = await tune(result.model, result.targets, result.masks, o.epochs!, 'fine-tune');
    sink.push(...r.history);
    return { result, tuned: applyMasks(r.model, result.targets, result.masks) };
  };

  const before = pruneTargets(model);
  const accBefore = await accuracyOf(model, 'before');
  let chosen: Tuned;
  let maxDropReport: MaxDropReport | null = null;
  if (maxDrop) {
    const finetunes = (o.epochs ?? 0) > 0 || (method.finetunesBetweenRounds && train !== undefined);
    const search = await searchLevel({ model, o, base, criterion: criterion!, val: val!, accuracyOn, pruneAndTune, impTune, progress, finetunes });
    chosen = search.chosen;
    history.push(...search.history);
    maxDropReport = search.report;
  } else {
    chosen = await pruneAndTune(base, history);
  }
  const { result, tuned } = chosen;
  const accPrune = await accuracyOf(result.model, 'after pruning');
  const final = tuned ?? result.model;
  const accTuned = tuned ? await accuracyOf(tuned, 'after fine-tuning') : null;
  return {
    result, before, final, history, maxDrop: maxDropReport,
    accuracy: test ? { dataset: o.data!, n: test.n, before: accBefore, afterPrune: accPrune, afterFinetune: accTuned } : null,
  };
}
