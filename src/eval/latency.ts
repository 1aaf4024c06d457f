// Batch-1 latency of whole models on Rampart's runtime and on onnxruntime-node,
// measured in the same process (median of many runs after warm-up), for the summary
// of `rampart main`. It is part of the product, so it imports no benchmark; bench/
// holds the full benchmarks with their targets (bench/runtime.ts).
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { InferenceSession } from '../../runtime/index.ts';
import { decodeModel } from '../../runtime/onnx/decode.ts';
import { dimRole } from '../../runtime/dims.ts';
import type { Tensor } from '../../runtime/ir.ts';
import { sizeOf } from '../../runtime/tensor.ts';
import { median } from './median.ts';

export interface LatencyRow {
  label: string;
  runtime: 'onnxruntime-node' | 'rampart-js' | 'rampart-wasm';
  medianMs: number;
  runs: number;
}

export interface LatencyOptions {
  /** Runs measured per (model, runtime) after warm-up. */
  runs?: number;
  warmup?: number;
  /** The size of every free dim other than the batch (e.g. a sequence length). */
  symbolic?: number;
}

/** A deterministic batch-1 input for each graph input (free dims: the batch 1, others `symbolic`). */
function inputsFor(path: string, symbolic: number): Record<string, Tensor> {
  const model = decodeModel(new Uint8Array(readFileSync(path)), { file: path });
  const feeds: Record<string, Tensor> = {};
  for (const inp of model.graph.inputs) {
    const dims = (inp.shape ?? []).map((d, i) =>
      (typeof d === 'number' && d > 0 ? d : dimRole(d, i) === 'batch' ? 1 : symbolic));
    const data = new Float32Array(sizeOf(dims));
    for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 1000) / 1000;
    feeds[inp.name] = { dtype: 'float32', dims, data };
  }
  return feeds;
}

async function time(fn: () => Promise<unknown>, runs: number, warmup: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

export async function measureLatency(models: { label: string; path: string }[], o: LatencyOptions = {}): Promise<LatencyRow[]> {
  const runs = o.runs ?? 200;
  const warmup = o.warmup ?? 20;
  const rows: LatencyRow[] = [];
  for (const m of models) {
    const feeds = inputsFor(m.path, o.symbolic ?? 28);
    const ortSession = await ort.InferenceSession.create(m.path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor('float32', t.data as Float32Array, t.dims);
    rows.push({ label: m.label, runtime: 'onnxruntime-node', medianMs: await time(() => ortSession.run(ortFeeds), runs, warmup), runs });
    await ortSession.release();
    for (const backend of ['js', 'wasm'] as const) {
      const s = await InferenceSession.create(m.path, { backend });
      rows.push({ label: m.label, runtime: `rampart-${backend}`, medianMs: await time(() => s.run(feeds), runs, warmup), runs });
    }
  }
  return rows;
}
