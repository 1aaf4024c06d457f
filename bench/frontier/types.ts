// The records of bench/results/frontier.json (bench/frontier.ts writes them).
import type { FtConfig } from '../../src/bench/finetune.ts';

// The latency types are the product's (rampart bench records the same); the frontier never times 'c'.
import type { LatencyStat, Runtime as AnyRuntime } from '../../src/bench/types.ts';
export type { LatencyStat };
export type Runtime = Exclude<AnyRuntime, 'c'>;

export interface LayerPoint {
  name: string;
  graph: string;
  size: number;
  sparsity: number;
  /** Δr of the layer's final mask (min over the graphs that gate the verdict); null when undefined. */
  deltaR: number | null;
  ramanujan: boolean;
}

export interface FrontierPoint {
  model: string;
  /** blockLabel(): "8x1", "8x1 gate-fused". */
  block: string;
  /** 'guard' (delta-r, every layer to its limit) or a fixed per-layer level. */
  level: string;
  /** Achieved sparsity over all prunable weights. */
  sparsity: number;
  afterPrune: number;
  /** Test accuracy after each epoch (tfjs lowering); `accuracy` is onnxruntime-node's after the last. */
  afterEpochs: number[];
  accuracy: number;
  epochs: number;
  finetune: FtConfig;
  layers: LayerPoint[];
  allRamanujan: boolean;
  modelFile: string;
  seconds: number;
  date: string;
  /**
   * Rampart's runtimes on this pruned model, with the formats its weights were packed in,
   * and onnxruntime on the dense model measured in the same group of rounds.
   */
  latency: { 'rampart-wasm'?: LatencyStat; 'rampart-js'?: LatencyStat; 'onnxruntime-node'?: LatencyStat; 'onnxruntime-web'?: LatencyStat; formats?: string[] } | null;
}

export interface ModelInfo {
  name: string;
  description: string;
  dataset: string;
  trainSamples: number;
  testSamples: number;
  dense: number;
  path: string;
  /** Every runtime on the dense model, measured in the same interleaved run as the points. */
  denseLatency?: Partial<Record<Runtime, LatencyStat>>;
}

export interface FrontierFile {
  conditions: Record<string, unknown>;
  models: Record<string, ModelInfo>;
  points: Record<string, FrontierPoint>;
}
