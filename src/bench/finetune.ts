// Fine-tuning a pruned model with its masks fixed, measured: the step `rampart bench`
// runs at every level, and the benches in bench/ (evidence, frontier) run too.
import type { Model } from '../../runtime/ir.ts';
import type { Dataset } from '../data/index.ts';
import { evaluateAccuracy } from '../eval/accuracy.ts';
import { storageMasks } from '../prune/pipeline.ts';
import type { PruneResult } from '../prune/prune.ts';
import { applyMasks } from '../prune/targets.ts';
import { finetune, type EpochRecord, type Progress } from '../train/index.ts';

export interface FtConfig {
  lr: number;
  batchSize: number;
  lrDecay?: number;
  clipNorm?: number;
  seed?: number;
}

/**
 * The main job's schedule: selected for the zoo LSTM on data held out from the
 * training split, never the test split (docs/EVIDENCE.md, "LSTM target").
 */
export const MAIN_SCHEDULE: FtConfig = { lr: 3e-3, batchSize: 32, lrDecay: 0.3, clipNorm: 5, seed: 0 };

export interface FtOutcome {
  config: FtConfig;
  trainSamples: number;
  /** Accuracy on `val` after each epoch (tfjs lowering, which the train tests hold equal to onnxruntime); empty without `val`. */
  perEpoch: number[];
  /** onnxruntime-node accuracy of the final masked model on `val` (a cross-check of the last perEpoch value). */
  ortFinal: number | null;
  history: EpochRecord[];
  seconds: number;
  model: Model;
}

export interface TuneOptions {
  /** Also measure the final model with onnxruntime-node on `val` (default true). */
  ort?: boolean;
  /** Accuracy on `val` after every epoch (default true; the final one is ortFinal either way). */
  perEpoch?: boolean;
  /** Every training batch (src/train reports them). */
  onProgress?: (p: Progress) => void;
}

/** Fine-tunes with the masks fixed; pruned weights are exactly zero in the returned model. */
export async function tuneMeasured(pruned: PruneResult, train: Dataset, val: Dataset | null, epochs: number, c: FtConfig, o: TuneOptions | boolean = {}): Promise<FtOutcome> {
  const opts: TuneOptions = typeof o === 'boolean' ? { ort: o } : o;
  const t0 = Date.now();
  const masks = storageMasks(pruned.model, pruned.targets, pruned.masks);
  const r = await finetune(pruned.model, train, {
    epochs, masks, lr: c.lr, batchSize: c.batchSize, lrDecay: c.lrDecay, clipNorm: c.clipNorm, seed: c.seed ?? 0,
    validation: val && opts.perEpoch !== false ? val : undefined, onProgress: opts.onProgress,
  });
  const model = applyMasks(r.model, pruned.targets, pruned.masks);
  const ortFinal = val && opts.ort !== false ? (await evaluateAccuracy(model, val, { runtime: 'ort' })).accuracy : null;
  return {
    config: c, trainSamples: train.n, perEpoch: r.history.flatMap((h) => (h.valAccuracy === undefined ? [] : [h.valAccuracy])), ortFinal,
    history: r.history, seconds: (Date.now() - t0) / 1000, model,
  };
}
