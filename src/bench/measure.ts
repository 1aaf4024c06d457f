// What a bench measures of one point's final model besides accuracy and latency:
// its file sizes, the spectral quantities of every layer graph, and accuracy on
// inputs with Gaussian noise added (the recurrent paper's robustness claim).
import type { Model } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { budget } from '../../targets/c/index.ts';
import { onnxCsrTarget } from '../../targets/onnx-csr/index.ts';
import { compileWasm } from '../../targets/wasm/index.ts';
import type { Dataset } from '../data/index.ts';
import { evaluateAccuracy } from '../eval/accuracy.ts';
import { encodeModel } from '../onnx/export.ts';
import { analyzeModel } from '../spectral/analyze.ts';
import { mulberry32 } from '../util/random.ts';
import type { LayerGraphRecord, Sizes } from './types.ts';

/** The model stored dense, its CSR ONNX (returned, to be written and timed) and the C target's flash estimate. */
export function sizesOf(model: Model, file?: string, o: { wasmModule?: boolean } = {}): { sizes: Sizes; dense: Uint8Array; csr: Uint8Array } {
  const dense = encodeModel(model);
  const csr = onnxCsrTarget.compile(model, { file }).bytes;
  let cFlashBytes: number | null = null;
  let cNote: string | undefined;
  try {
    cFlashBytes = budget(model, { file }).flash.totalBytes;
  } catch (e) {
    // A model the C target does not take (an op it lacks) has no flash figure; anything else is a bug.
    if (!(e instanceof RampartError)) throw e;
    cNote = e.message;
  }
  const sizes: Sizes = { denseOnnxBytes: dense.length, csrOnnxBytes: csr.length, cFlashBytes, ...(cNote ? { cNote } : {}) };
  if (o.wasmModule) {
    try {
      sizes.wasmModuleBytes = compileWasm(model, { file }).wasm.length;
    } catch (e) {
      if (!(e instanceof RampartError)) throw e;
      sizes.wasmModuleBytes = null;
    }
  }
  return { sizes, dense, csr };
}

/** Δr, IMDB and the verdict of every stacked layer graph (per direction; W and R apart) of the model as it is. */
export function layerGraphs(model: Model): { layers: LayerGraphRecord[]; allRamanujan: boolean; minDeltaR: number | null } {
  const a = analyzeModel(model, { perGate: false, imdb: true, weighted: false });
  const layers = a.records.filter((r) => r.gate === null).map((r) => ({
    layer: r.layer, op: r.op, graph: r.graph, direction: r.direction, sparsity: r.sparsity,
    deltaR: r.deltaR, imdb: r.imdb, ramanujan: r.ramanujan,
  }));
  const defined = layers.map((l) => l.deltaR).filter((x): x is number => x !== null);
  return {
    layers,
    allRamanujan: layers.length > 0 && layers.every((l) => l.ramanujan === true),
    minDeltaR: defined.length === layers.length && defined.length > 0 ? Math.min(...defined) : null,
  };
}

/** A copy of `ds` with N(0, sigma²) added to every input value (seeded: the same noise for every point). */
export function withNoise(ds: Dataset, sigma: number, seed = 1): Dataset {
  const rand = mulberry32(seed);
  const images = new Float32Array(ds.images.length);
  for (let i = 0; i < images.length; i += 2) {
    // Box-Muller: two independent normals per two uniforms.
    const r = Math.sqrt(-2 * Math.log(1 - rand())), t = 2 * Math.PI * rand();
    images[i] = ds.images[i] + sigma * r * Math.cos(t);
    if (i + 1 < images.length) images[i + 1] = ds.images[i + 1] + sigma * r * Math.sin(t);
  }
  return { ...ds, images };
}

/** Test accuracy (onnxruntime-node) at each noise level. */
export async function noiseAccuracy(model: Model, test: Dataset, sigmas: number[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of sigmas) out[String(s)] = (await evaluateAccuracy(model, withNoise(test, s), { runtime: 'ort' })).accuracy;
  return out;
}
