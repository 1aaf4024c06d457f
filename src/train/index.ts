// Fine-tuning and evaluation of an IR model with tfjs (docs/design/train.md).
//
// finetune(model, data, opts) trains every trainable weight (lower.ts) with Adam on
// softmax cross-entropy of the logits, holding pruning masks fixed: masked weights
// are zero before the first step, their gradients are zeroed before each Adam step
// (so Adam's moments for them stay zero) and the weights are re-masked after it, so
// they are exactly +0 after every step. It returns a new Model; the input is untouched.
import type { Model } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { modelInputLayout, toLayout, type Dataset, type Layout } from '../data/index.ts';
import { tf } from './tf.ts';
import { lowerToTfjs, type LoweredModel } from './lower.ts';
import { useBackend, useBackendFor, type BackendChoice, type BackendName } from './backend.ts';
import { applyMasks, maskTensors, type Masks } from './masks.ts';
import { mulberry32, shuffled } from '../util/random.ts';

export { lowerToTfjs, type LoweredModel } from './lower.ts';
export { pickBackend, useBackendFor, useBackend, missingKernels, type BackendChoice, type BackendName } from './backend.ts';
export { masksFromZeros, type Masks } from './masks.ts';

export interface Progress {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  /** Running mean over the epoch so far. */
  loss: number;
  accuracy: number;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  /** Accuracy on the training batches as they were seen (weights changing meanwhile). */
  trainAccuracy: number;
  /** On opts.validation after the epoch, when given. */
  valAccuracy?: number;
  seconds: number;
  lr: number;
}

export interface FinetuneOptions {
  epochs: number;
  batchSize?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Multiply the learning rate by this after each epoch (default 1). */
  lrDecay?: number;
  /** Rescale the gradients when their global L2 norm exceeds this (default: no clipping). */
  clipNorm?: number;
  /** Pruning masks held fixed through training (masks.ts). */
  masks?: Masks;
  /** Seeds the batch order (default 0). */
  seed?: number;
  /** Stop after this many steps in total (tests, quick runs). */
  maxSteps?: number;
  validation?: Dataset;
  /** Force a backend; default: useBackendFor(model, 'train'). */
  backend?: BackendName;
  onProgress?: (p: Progress) => void;
  onEpoch?: (r: EpochRecord) => void;
  file?: string;
}

export interface FinetuneResult {
  model: Model;
  history: EpochRecord[];
  backend: BackendChoice;
  steps: number;
}

/** The value that holds the logits: the graph's first output, or the input of a final (Log)Softmax. */
export function logitsName(model: Model): string {
  const out = model.graph.outputs[0];
  if (!out) throw new RampartError('the model has no outputs');
  const producer = model.graph.nodes.find((n) => n.outputs.includes(out.name));
  if (producer && (producer.op === 'Softmax' || producer.op === 'LogSoftmax')) return producer.inputs[0];
  return out.name;
}

function inputLayout(low: LoweredModel): { name: string; layout: Layout } {
  if (low.inputs.length !== 1) {
    throw new RampartError(`the model has ${low.inputs.length} graph inputs`, { expected: 'one image input to train or evaluate on a dataset' });
  }
  return { name: low.inputs[0].name, layout: modelInputLayout(low.inputs[0].shape) };
}

/** Rows `idx` of the dataset as the model's input tensor and int32 labels. */
function batch(data: Dataset, idx: ArrayLike<number>, layout: Layout): { x: tf.Tensor; y: tf.Tensor1D } {
  const px = data.images.length / data.n;
  const images = new Float32Array(idx.length * px);
  const labels = new Int32Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    images.set(data.images.subarray(idx[k] * px, (idx[k] + 1) * px), k * px);
    labels[k] = data.labels[idx[k]];
  }
  const t = toLayout({ images, labels: Uint8Array.from(labels), n: idx.length }, layout);
  return { x: tf.tensor(t.data as Float32Array, t.dims, 'float32'), y: tf.tensor1d(labels, 'int32') };
}

function crossEntropy(logits: tf.Tensor, y: tf.Tensor1D): tf.Scalar {
  if (logits.rank !== 2) throw new RampartError(`logits have shape [${logits.shape}]`, { expected: '[batch, classes]' });
  const classes = (logits.shape as number[])[1];
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(y, classes), tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

export async function finetune(model: Model, data: Dataset, opts: FinetuneOptions): Promise<FinetuneResult> {
  const backend = opts.backend ? { backend: opts.backend, reason: 'forced' } : await useBackendFor(model, 'train');
  if (opts.backend) await useBackend(opts.backend);
  const bs = opts.batchSize ?? 64;
  let lr = opts.lr ?? 1e-3;
  if (!(opts.epochs >= 0) || !(bs >= 1) || !(lr > 0)) {
    throw new RampartError(`epochs ${opts.epochs}, batch size ${bs}, lr ${lr}`, { expected: 'epochs >= 0, batch size >= 1, lr > 0' });
  }
  const low = lowerToTfjs(model, { file: opts.file });
  const masks = maskTensors(opts.masks ?? {}, low.variables);
  const logits = logitsName(model);
  const { name: inputName, layout } = inputLayout(low);
  const trainVars = low.trainable.map((n) => low.variables[n]);
  const byVarName = new Map(low.trainable.map((n) => [low.variables[n].name, n]));
  const optimizer = tf.train.adam(lr);
  const rand = mulberry32(opts.seed ?? 0);
  const steps = Math.ceil(data.n / bs);
  const history: EpochRecord[] = [];
  let total = 0;
  try {
    applyMasks(masks, low.variables);
    for (let epoch = 0; epoch < opts.epochs && !(opts.maxSteps !== undefined && total >= opts.maxSteps); epoch++) {
      const t0 = performance.now();
      const order = shuffled(data.n, rand);
      let lossSum = 0, correct = 0, seen = 0;
      for (let s = 0; s < steps; s++) {
        if (opts.maxSteps !== undefined && total >= opts.maxSteps) break;
        const idx = order.subarray(s * bs, Math.min(data.n, (s + 1) * bs));
        const { x, y } = batch(data, idx, layout);
        let hits: tf.Tensor | null = null;
        const loss = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => {
            const z = low.forward({ [inputName]: x }, { outputs: [logits] })[logits];
            hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(z, 1), y), 'int32')));
            return crossEntropy(z, y);
          }, trainVars);
          let named: Record<string, tf.Tensor> = {};
          for (const [vn, g] of Object.entries(grads)) {
            const init = byVarName.get(vn)!;
            named[vn] = masks[init] ? tf.where(masks[init], g, tf.zerosLike(g)) : g;
          }
          if (opts.clipNorm) named = clipByGlobalNorm(named, opts.clipNorm);
          optimizer.applyGradients(named as Record<string, tf.Variable>);
          return value;
        });
        applyMasks(masks, low.variables);
        lossSum += (await loss.data())[0] * idx.length;
        correct += (await hits!.data())[0];
        seen += idx.length;
        tf.dispose([loss, hits!, x, y]);
        total++;
        opts.onProgress?.({ epoch: epoch + 1, epochs: opts.epochs, step: s + 1, steps, loss: lossSum / seen, accuracy: correct / seen });
      }
      const rec: EpochRecord = {
        epoch: epoch + 1, loss: lossSum / Math.max(seen, 1), trainAccuracy: correct / Math.max(seen, 1),
        seconds: (performance.now() - t0) / 1000, lr,
      };
      if (opts.validation) rec.valAccuracy = evaluateLowered(low, opts.validation, logits, inputName, layout).accuracy;
      history.push(rec);
      opts.onEpoch?.(rec);
      lr *= opts.lrDecay ?? 1;
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
    }
    return { model: low.writeBack(model), history, backend, steps: total };
  } finally {
    optimizer.dispose();
    tf.dispose(Object.values(masks));
    low.dispose();
  }
}

function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): Record<string, tf.Tensor> {
  const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
  const scale = tf.minimum(1, tf.div(maxNorm, tf.maximum(norm, 1e-12)));
  const out: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads)) out[k] = tf.mul(g, scale);
  return out;
}

export interface EvalResult {
  accuracy: number;
  /** Mean softmax cross-entropy of the logits. */
  loss: number;
  n: number;
}

function evaluateLowered(low: LoweredModel, data: Dataset, logits: string, inputName: string, layout: Layout, bs = 256): EvalResult {
  let correct = 0, lossSum = 0;
  for (let s = 0; s < data.n; s += bs) {
    const idx = Int32Array.from({ length: Math.min(bs, data.n - s) }, (_, k) => s + k);
    const { x, y } = batch(data, idx, layout);
    const [c, l] = tf.tidy(() => {
      const z = low.forward({ [inputName]: x }, { outputs: [logits] })[logits];
      return [tf.sum(tf.cast(tf.equal(tf.argMax(z, 1), y), 'int32')).dataSync()[0], crossEntropy(z, y).dataSync()[0] * idx.length];
    });
    correct += c;
    lossSum += l;
    tf.dispose([x, y]);
  }
  return { accuracy: correct / data.n, loss: lossSum / data.n, n: data.n };
}

/** Accuracy and loss of the model on a dataset, computed by the tfjs lowering. */
export async function evaluate(model: Model, data: Dataset, opts: { batchSize?: number; file?: string } = {}): Promise<EvalResult> {
  await useBackendFor(model, 'infer');
  const low = lowerToTfjs(model, { file: opts.file });
  try {
    const { name, layout } = inputLayout(low);
    return evaluateLowered(low, data, logitsName(model), name, layout, opts.batchSize);
  } finally {
    low.dispose();
  }
}
