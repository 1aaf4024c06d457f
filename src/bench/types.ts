// The records of `rampart bench` (bench.json; docs/design/bench.md) and the latency
// types bench/frontier.ts shares (its FrontierFile keeps its own schema).

/** Every runtime a bench can time; BENCH_RUNTIMES (latency.ts) lists those this build has. */
export type Runtime = 'rampart-wasm' | 'rampart-js' | 'onnxruntime-node' | 'onnxruntime-web' | 'c' | 'wasm-module';

export interface LatencyStat {
  /** Median of the interleaved runs, ms. */
  medianMs: number;
  /** 10th and 90th percentiles, ms: the spread. */
  p10Ms: number;
  p90Ms: number;
  runs: number;
}

/** One layer graph of a point's final model (stacked per direction; W and R separately). */
export interface LayerGraphRecord {
  layer: string;
  op: string;
  /** 'W', 'R' or 'weight'. */
  graph: string;
  direction: number;
  sparsity: number;
  /** null: undefined (average degrees < 3, SPECTRAL.md §2). */
  deltaR: number | null;
  imdb: number | null;
  /** Δr ≥ 0 on this graph; null when undefined. */
  ramanujan: boolean | null;
}

export interface Sizes {
  /** The model stored dense (zeros included), bytes. */
  denseOnnxBytes: number;
  /** `rampart compile --target onnx-csr`, bytes. */
  csrOnnxBytes: number;
  /** The C target's flash estimate (targets/c budget.ts); null when the model does not compile to C. */
  cFlashBytes: number | null;
  cNote?: string;
  /** `rampart compile --target wasm`'s model.wasm, bytes; only when the wasm-module runtime is benched (null: refused). */
  wasmModuleBytes?: number | null;
}

/** One level × block: pruned, fine-tuned, measured. Written to points/<id>.json as soon as it is done. */
export interface BenchPoint {
  id: string;
  /** 'dense', 'guard' or a fixed per-layer sparsity such as '0.9'. */
  level: string;
  /** blockLabel(): '1x1', '16x1', '8x1 gate-fused'; 'dense' for the dense point. */
  block: string;
  /** Achieved sparsity over all prunable weights. */
  sparsity: number;
  /** Test accuracy (onnxruntime-node) right after pruning, and of the final model. */
  afterPrune: number;
  accuracy: number;
  /** Test accuracy on inputs with Gaussian noise of each --noise standard deviation. */
  noise: Record<string, number>;
  epochs: number;
  /** Training loss and accuracy per fine-tuning epoch. */
  history: { epoch: number; loss: number; trainAccuracy: number; seconds: number }[];
  layers: LayerGraphRecord[];
  /** Every stacked graph of every layer has Δr ≥ 0 (undefined counts as not). */
  allRamanujan: boolean;
  minDeltaR: number | null;
  sizes: Sizes;
  /** Per runtime and batch size ('1', '8'): this point's model, and the dense model in the same interleaved run. */
  latency: Record<string, Partial<Record<Runtime, LatencyStat>>>;
  denseLatency: Record<string, Partial<Record<Runtime, LatencyStat>>>;
  /** The pruned model stored dense (what every runtime is timed on) and its CSR compilation (the file to ship). */
  files: { onnx: string; csr: string };
  notes: string[];
  /** 1-minute load average when this point was timed, and when. */
  loadAverage: number;
  date: string;
  seconds: number;
  /** The configuration fingerprint this point was measured under (resume reuses only matching points). */
  fingerprint: string;
}

/** One row of bench.json's `records` and of bench.csv: a point on one runtime at one batch size. */
export interface BenchRecord {
  model: string;
  level: string;
  block: string;
  runtime: Runtime;
  batch: number;
  sparsity: number;
  accuracy: number;
  afterPrune: number;
  medianMs: number | null;
  p10Ms: number | null;
  p90Ms: number | null;
  /** Dense model on the same runtime in the same interleaved run. */
  denseMedianMs: number | null;
  allRamanujan: boolean;
  minDeltaR: number | null;
  denseOnnxBytes: number;
  csrOnnxBytes: number;
  cFlashBytes: number | null;
  noise: Record<string, number>;
  loadAverage: number;
}

export const BENCH_SCHEMA = 'rampart-bench/1';

export interface BenchFile {
  schema: typeof BENCH_SCHEMA;
  /** False while points are missing (an interrupted or running bench). */
  complete: boolean;
  config: Record<string, unknown>;
  /** The machine: CPU, cores, ISA, wasm SIMD, threads, node version, load at the start. */
  conditions: Record<string, unknown>;
  model: { path: string; name: string; input: string; dataset: string; testSamples: number; trainSamples: number };
  points: BenchPoint[];
  records: BenchRecord[];
  notes: string[];
}
