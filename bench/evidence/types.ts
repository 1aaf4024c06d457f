// The shape of bench/results/evidence.json, shared by the evidence bench
// (bench/evidence.ts, which writes it) and the report (bench/evidence/report.ts, which
// renders docs/EVIDENCE.md from it).
import type { DatasetName } from '../../src/data/index.ts';
import type { FtConfig, LayerRow } from './common.ts';
import type { SnipRun } from './snip.ts';
import type { SweepPart } from './sweep.ts';
import type { Selection } from './tune.ts';

export interface PruneOutcome {
  guard: string;
  layers: LayerRow[];
  overall: number;
  afterPrune: number;
  /** Accuracy on the test split after epoch 1, 2, … (tfjs); ortAfter is onnxruntime's after the last. */
  afterEpochs: number[];
  ortAfter: number | null;
  finetune: { config: FtConfig; trainSamples: number; seconds: number; loss: number[] };
}

export interface ModelEvidence {
  name: string;
  description: string;
  dataset: DatasetName;
  trainSamples: number;
  testSamples: number;
  dense: number;
  guarded: PruneOutcome;
  unguarded: PruneOutcome;
  /** LSTM: hyperparameters selected on held-out training data, then run on the full split. */
  selection?: Selection & { guarded: PruneOutcome; unguarded: PruneOutcome; seeds?: { seed: number; guarded: PruneOutcome; unguarded: PruneOutcome }[] };
  /** Guard options compared (per-gate, IMDB, min-coverage), default fine-tuning. */
  variants?: PruneOutcome[];
  /** Other models: the LSTM's selected fine-tuning schedule applied unchanged. */
  transfer?: { config: FtConfig; guarded: PruneOutcome; unguarded: PruneOutcome };
  snip?: SnipRun[];
  sweep: SweepPart[];
  sweepFinetune: { trainSamples: number; epochs: 1; config: FtConfig } | null;
  seconds: number;
  date: string;
  /** The runs that wrote this record, oldest first (sections not run keep earlier results). */
  runs: { date: string; commit: string; sections: string; loadavgAtStart: number[]; seconds?: number }[];
}

export interface EvidenceFile {
  conditions: Record<string, unknown>;
  models: Record<string, ModelEvidence>;
}
