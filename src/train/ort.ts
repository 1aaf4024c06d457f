// Accuracy as onnxruntime-node measures it: the number the zoo records, and the
// oracle the tests hold the tfjs lowering to (goldens never come from the code
// under test).
import * as ort from 'onnxruntime-node';
import type { Model } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { encodeModel } from '../onnx/export.ts';
import { modelInputLayout, toLayout, type Dataset } from '../data/index.ts';

export interface OrtEval {
  accuracy: number;
  n: number;
  /** Logits of every sample, row-major [n, classes]. */
  logits: Float32Array;
}

export async function ortEvaluate(model: Model | Uint8Array, data: Dataset, opts: { batchSize?: number; model?: Model } = {}): Promise<OrtEval> {
  const ir = model instanceof Uint8Array ? opts.model : model;
  if (!ir) throw new RampartError('ortEvaluate of bytes needs opts.model for the input layout');
  const bytes = model instanceof Uint8Array ? model : encodeModel(model);
  const session = await ort.InferenceSession.create(bytes);
  const input = ir.graph.inputs.filter((i) => !(i.name in ir.graph.initializers));
  if (input.length !== 1) throw new RampartError(`the model has ${input.length} graph inputs`, { expected: 'one image input' });
  const layout = modelInputLayout(input[0].shape);
  const outName = ir.graph.outputs[0].name;
  const bs = opts.batchSize ?? 500;
  const px = data.images.length / data.n;
  let correct = 0;
  const all: Float32Array[] = [];
  for (let s = 0; s < data.n; s += bs) {
    const n = Math.min(bs, data.n - s);
    const t = toLayout({ images: data.images.subarray(s * px, (s + n) * px), labels: data.labels.subarray(s, s + n), n }, layout);
    const out = await session.run({ [input[0].name]: new ort.Tensor('float32', t.data as Float32Array, t.dims) });
    const z = out[outName].data as Float32Array;
    const C = z.length / n;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (z[i * C + c] > z[i * C + best]) best = c;
      if (best === data.labels[s + i]) correct++;
    }
    all.push(Float32Array.from(z));
  }
  await session.release();
  const logits = new Float32Array(all.reduce((p, a) => p + a.length, 0));
  let off = 0;
  for (const a of all) { logits.set(a, off); off += a.length; }
  return { accuracy: correct / data.n, n: data.n, logits };
}
