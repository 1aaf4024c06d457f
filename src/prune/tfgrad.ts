// The GradientOracle over tfjs autodiff, through src/train's lowering.
//
// The weights being scored are turned from initializers into graph inputs before
// lowering, so they reach the lowered function as plain tensors that tf.grads
// differentiates with respect to.
//
// GraSP needs a Hessian-gradient product. tfjs 4.22 cannot differentiate the
// gradient of exp, sigmoid or tanh (tensorflow/tfjs#3252: "Cannot compute gradient
// of y=f(x)"; checked here on a 2×2 tanh, and every softmax loss has an exp), so
// double backprop is out for every model we prune: H·v is a central finite
// difference of the gradient along v (two extra backward passes).
import type { Model, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { tf } from '../train/tf.ts';
import { useBackendFor } from '../train/backend.ts';
import { lowerToTfjs, type LoweredModel } from '../train/lower.ts';
import type { GradientOracle, Grads, LossOptions } from './gradients.ts';
import type { Batch } from './types.ts';

/** The value holding the logits: the input of a final Softmax/LogSoftmax, else the first output. */
export function logitsName(model: Model): string {
  const out = model.graph.outputs[0]?.name;
  if (out === undefined) throw new RampartError('the model has no outputs');
  const producer = model.graph.nodes.find((n) => n.outputs.includes(out));
  if (producer && (producer.op === 'Softmax' || producer.op === 'LogSoftmax')) return producer.inputs[0];
  return out;
}

function withParamsAsInputs(model: Model, names: string[]): Model {
  const inits = { ...model.graph.initializers };
  const inputs = model.graph.inputs.slice();
  for (const name of names) {
    const t = inits[name];
    if (!t) throw new RampartError(`initializer '${name}' is missing`);
    delete inits[name];
    inputs.push({ name, dtype: 'float32', shape: t.dims.slice() });
  }
  return { ...model, graph: { ...model.graph, inputs, initializers: inits } };
}

interface Prepared {
  low: LoweredModel;
  inputName: string;
  logits: string;
  params: tf.Tensor[];
}

async function prepare(model: Model, names: string[]): Promise<Prepared> {
  await useBackendFor(model, 'train');
  const m = withParamsAsInputs(model, names);
  const low = lowerToTfjs(m);
  const inputName = model.graph.inputs.filter((i) => !(i.name in model.graph.initializers))[0]?.name;
  if (inputName === undefined) throw new RampartError('the model has no data input');
  const params = names.map((n) => {
    const t = model.graph.initializers[n];
    return tf.tensor(Float32Array.from(t.data as ArrayLike<number>), t.dims, 'float32');
  });
  return { low, inputName, logits: logitsName(model), params };
}

function release(p: Prepared): void {
  p.low.dispose();
  p.params.forEach((t) => t.dispose());
}

/** [B, C] logits from a [.., B, C] output (a time-major head may add leading 1s). */
function as2d(y: tf.Tensor, batch: number): tf.Tensor2D {
  const classes = y.size / batch;
  if (!Number.isInteger(classes)) throw new RampartError(`the output has ${y.size} values for a batch of ${batch}`, { expected: '[batch, classes] logits' });
  return y.reshape([batch, classes]) as tf.Tensor2D;
}

/** Mean softmax cross-entropy from elementary ops (twice differentiable). */
function crossEntropy(logits: tf.Tensor2D, labels: Uint8Array, temperature: number): tf.Scalar {
  const [rows, classes] = logits.shape;
  const z = temperature === 1 ? logits : logits.div(temperature);
  // The shift cancels in lse(z − m) − (z_label − m); a constant keeps max() off the tape.
  const m = tf.tensor(z.max(1, true).dataSync() as Float32Array, [rows, 1], 'float32');
  const shifted = z.sub(m);
  const lse = shifted.exp().sum(1).log();
  const onehot = tf.oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), classes).toFloat();
  const picked = shifted.mul(onehot).sum(1);
  return lse.sub(picked).mean() as tf.Scalar;
}

function lossFn(p: Prepared, names: string[], batch: Batch, temperature: number): (...ws: tf.Tensor[]) => tf.Scalar {
  const n = batch.labels.length;
  return (...ws) => {
    const feeds: Record<string, tf.Tensor | Tensor> = { [p.inputName]: batch.input };
    names.forEach((name, k) => (feeds[name] = ws[k]));
    const y = p.low.forward(feeds, { outputs: [p.logits] })[p.logits];
    return crossEntropy(as2d(y, n), batch.labels, temperature);
  };
}

function toGrads(names: string[], ts: tf.Tensor[]): Grads {
  const out: Grads = {};
  names.forEach((n, k) => (out[n] = Float32Array.from(ts[k].dataSync() as Float32Array)));
  return out;
}

async function lossGradient(model: Model, batch: Batch, names: string[], opts: LossOptions = {}): Promise<Grads> {
  const p = await prepare(model, names);
  try {
    const f = lossFn(p, names, batch, opts.temperature ?? 1);
    return tf.tidy(() => toGrads(names, tf.grads(f)(p.params)));
  } finally {
    release(p);
  }
}

async function hessianVector(model: Model, batch: Batch, names: string[], v: Grads, opts: LossOptions = {}) {
  const p = await prepare(model, names);
  try {
    const f = lossFn(p, names, batch, opts.temperature ?? 1);
    return { hv: finiteDifference(p, names, f, v), method: 'finite-difference' as const };
  } finally {
    release(p);
  }
}

/**
 * H·v ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε with ε = ∛(float32 eps)·(1 + ‖θ‖)/‖v‖:
 * a central difference balances rounding (∝ eps/ε) against truncation (∝ ε²) at the
 * cube root. On the linear-softmax test (closed-form Hessian) this is within 0.1%,
 * where a √eps step is off by 30%.
 */
function finiteDifference(p: Prepared, names: string[], f: (...ws: tf.Tensor[]) => tf.Scalar, v: Grads): Grads {
  return tf.tidy(() => {
    const vs = names.map((n, k) => tf.tensor(v[n], p.params[k].shape, 'float32'));
    const norm = (ts: tf.Tensor[]) => Math.sqrt(ts.reduce((s, t) => s + (t.square().sum().dataSync()[0] as number), 0));
    const vn = norm(vs);
    if (vn === 0) return toGrads(names, vs);
    const eps = (Math.cbrt(1.19e-7) * (1 + norm(p.params))) / vn;
    const plus = tf.grads(f)(p.params.map((w, k) => w.add(vs[k].mul(eps))));
    const minus = tf.grads(f)(p.params.map((w, k) => w.sub(vs[k].mul(eps))));
    return toGrads(names, plus.map((g, k) => g.sub(minus[k]).div(2 * eps)));
  });
}

async function outputSumGradient(model: Model, input: Tensor, names: string[]): Promise<Grads> {
  const p = await prepare(model, names);
  try {
    const f = (...ws: tf.Tensor[]) => {
      const feeds: Record<string, tf.Tensor | Tensor> = { [p.inputName]: input };
      names.forEach((name, k) => (feeds[name] = ws[k]));
      return p.low.forward(feeds, { outputs: [p.logits] })[p.logits].sum() as tf.Scalar;
    };
    return tf.tidy(() => toGrads(names, tf.grads(f)(p.params)));
  } finally {
    release(p);
  }
}

export const tfjsGradients: GradientOracle = { lossGradient, hessianVector, outputSumGradient };
