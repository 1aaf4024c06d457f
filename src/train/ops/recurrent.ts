// LSTM, GRU and RNN as an unrolled loop over time of tfjs ops, written straight
// from the ONNX equations in ONNX gate order — no Keras layer, so nothing to
// re-order: tfjs's LSTM layer expects gates i,f,c,o and defaults its recurrent
// activation to hardSigmoid, where ONNX stacks i,o,f,c (GRU z,r,h) and uses the
// node's `activations` (default Sigmoid). Attribute parsing (layout, directions,
// activations with alpha/beta, clip, linear_before_reset, input_forget) and the input
// shape checks are the runtime's own (runtime/ops/recurrent/config.ts, inputs.ts), so
// both read a node the same way. The one refusal of this lowering alone:
// sequence_lens shorter than the sequence (training data are whole sequences).
import { fail } from '../../../runtime/ops/attrs.ts';
import {
  checkRecurrentShapes, parseRecurrentConfig, weightSizes, type RecurrentConfig, type RecurrentKind,
} from '../../../runtime/ops/recurrent/common.ts';
import type { Activation } from '../../../runtime/ops/recurrent/activations.ts';
import { tf } from '../tf.ts';
import { matmul2d } from '../matmul.ts';
import { asFloat, hostInts, isTf, need, type Lowering, type Value } from './types.ts';

type Fn = (x: tf.Tensor) => tf.Tensor;

function activation(a: Activation): Fn {
  const { alpha, beta } = a;
  switch (a.name) {
    case 'Sigmoid': return (x) => tf.sigmoid(x);
    case 'Tanh': return (x) => tf.tanh(x);
    case 'Relu': return (x) => tf.relu(x);
    case 'HardSigmoid': return (x) => tf.clipByValue(x.mul(alpha).add(beta), 0, 1);
    case 'LeakyRelu': return (x) => tf.leakyRelu(x, alpha);
    case 'ThresholdedRelu': return (x) => tf.where(x.greater(alpha), x, tf.zerosLike(x));
    case 'ScaledTanh': return (x) => tf.tanh(x.mul(beta)).mul(alpha);
    case 'Affine': return (x) => x.mul(alpha).add(beta);
    case 'Elu': return (x) => tf.where(x.greaterEqual(0), x, tf.exp(x).sub(1).mul(alpha));
    case 'Softsign': return (x) => x.div(tf.abs(x).add(1));
    case 'Softplus': return (x) => tf.softplus(x);
  }
}

interface Dir {
  /** Gate pre-activations from the input for every step, [T*N, G*H], biases folded in. */
  xw: tf.Tensor2D;
  /** Rᵀ [H, G*H]. */
  RT: tf.Tensor2D;
  /** The recurrent bias not folded into xw (GRU h gate with linear_before_reset), or null. */
  Rbh: tf.Tensor | null;
  P: tf.Tensor | null;
  h0: tf.Tensor2D;
  c0: tf.Tensor2D;
  act: Fn[];
}

interface Shape { T: number; N: number; H: number; G: number }

/** The input part of step t: rows t*N .. t*N+N-1 of xw. */
function stepInput(d: Dir, s: Shape, t: number, parts: tf.Tensor[] | null): tf.Tensor2D {
  return (parts ? parts[t] : d.xw.slice([t * s.N, 0], [s.N, s.G * s.H])) as tf.Tensor2D;
}

function shapeOf(v: Value): number[] {
  return isTf(v) ? (v.shape as number[]) : v.dims;
}

function clipper(cfg: RecurrentConfig): Fn {
  const c = cfg.clip;
  return c === null ? (x) => x : (x) => tf.clipByValue(x, -c, c);
}

type Step = (d: Dir, s: Shape, x: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D) => { h: tf.Tensor2D; c: tf.Tensor2D };

function lstmStep(cfg: RecurrentConfig): Step {
  const clip = clipper(cfg);
  return (d, s, x, h, c) => {
    const H = s.H;
    const [f, g, hAct] = d.act;
    const gates = x.add(matmul2d(h, d.RT)); // [N, 4H] in ONNX order i, o, f, c
    const part = (k: number) => gates.slice([0, k * H], [s.N, H]);
    const peep = (k: number, state: tf.Tensor) => (d.P ? d.P.slice([k * H], [H]).mul(state) : null);
    const withPeep = (z: tf.Tensor, p: tf.Tensor | null) => (p ? z.add(p) : z);
    let i: tf.Tensor, o: tf.Tensor | null = null, fg: tf.Tensor;
    if (!d.P && cfg.clip === null) {
      // No peepholes: i, o, f share one activation call over the first 3H columns.
      const ifo = f(gates.slice([0, 0], [s.N, 3 * H]));
      i = ifo.slice([0, 0], [s.N, H]);
      o = ifo.slice([0, H], [s.N, H]);
      fg = ifo.slice([0, 2 * H], [s.N, H]);
    } else {
      i = f(clip(withPeep(part(0), peep(0, c))));
      fg = f(clip(withPeep(part(2), peep(2, c))));
    }
    if (cfg.inputForget) fg = tf.sub(1, i);
    const cNew = fg.mul(c).add(i.mul(g(clip(part(3))))) as tf.Tensor2D;
    if (o === null) o = f(clip(withPeep(part(1), peep(1, cNew))));
    return { h: o.mul(hAct(cNew)) as tf.Tensor2D, c: cNew };
  };
}

function gruStep(cfg: RecurrentConfig): Step {
  const clip = clipper(cfg);
  return (d, s, x, h, c) => {
    const H = s.H;
    const [f, g] = d.act;
    const xz = x.slice([0, 0], [s.N, 2 * H]);
    const xh = x.slice([0, 2 * H], [s.N, H]);
    let zr: tf.Tensor, hh: tf.Tensor;
    if (cfg.linearBeforeReset) {
      // h̃ = g(x·Whᵀ + Wbh + r ⊙ (h·Rhᵀ + Rbh)): one product for all three gates.
      const hr = matmul2d(h, d.RT);
      zr = f(clip(xz.add(hr.slice([0, 0], [s.N, 2 * H]))));
      const r = zr.slice([0, H], [s.N, H]);
      const rh = hr.slice([0, 2 * H], [s.N, H]).add(d.Rbh!);
      hh = g(clip(xh.add(r.mul(rh))));
    } else {
      // h̃ = g(x·Whᵀ + (r ⊙ h)·Rhᵀ + Rbh + Wbh): r gates h before the product.
      const RTzr = d.RT.slice([0, 0], [H, 2 * H]) as tf.Tensor2D;
      const RTh = d.RT.slice([0, 2 * H], [H, H]) as tf.Tensor2D;
      zr = f(clip(xz.add(matmul2d(h, RTzr))));
      const r = zr.slice([0, H], [s.N, H]);
      hh = g(clip(xh.add(matmul2d(r.mul(h) as tf.Tensor2D, RTh))));
    }
    const z = zr.slice([0, 0], [s.N, H]);
    // H_t = (1 - z) ⊙ h̃ + z ⊙ H_{t-1}
    return { h: hh.add(z.mul(h.sub(hh))) as tf.Tensor2D, c };
  };
}

function rnnStep(cfg: RecurrentConfig): Step {
  const clip = clipper(cfg);
  return (d, _s, x, h, c) => ({ h: d.act[0](clip(x.add(matmul2d(h, d.RT)))) as tf.Tensor2D, c });
}

const STEPS: Record<RecurrentKind, (cfg: RecurrentConfig) => Step> = { LSTM: lstmStep, GRU: gruStep, RNN: rnnStep };

function lowerRecurrent(kind: RecurrentKind): Lowering {
  return (inputs, node) => {
    const cfg = parseRecurrentConfig(node, kind);
    const X0 = asFloat(need(node, inputs, 0, 'X'));
    const W = asFloat(need(node, inputs, 1, 'W'));
    const R = asFloat(need(node, inputs, 2, 'R'));
    const opt = (i: number) => (inputs[i] === undefined ? undefined : asFloat(inputs[i] as Value));
    const dims = inputs.map((v) => (v === undefined ? undefined : shapeOf(v)));
    const { seqLength: T, batch: N, inputSize: I, hidden: H } = checkRecurrentShapes(cfg, weightSizes(cfg, W.shape, R.shape), dims);
    const D = cfg.numDirections;
    const G = cfg.gates;
    // Layout 1 (batch first) is layout 0 with the first two axes of X and the states swapped.
    const timeMajor = (t: tf.Tensor | undefined) => (t && cfg.layout === 1 ? t.transpose([1, 0, 2]) : t);
    const X = timeMajor(X0)!;
    const B = opt(3);
    const h0 = timeMajor(opt(5));
    const c0 = kind === 'LSTM' ? timeMajor(opt(6)) : undefined;
    const P = kind === 'LSTM' ? opt(7) : undefined;
    if (inputs[4] !== undefined) {
      const lens = hostInts(node, inputs[4], 'sequence_lens');
      if (lens.some((l) => l !== T)) {
        fail(node, `sequence_lens [${lens}] with steps shorter than the sequence is not supported by the training lowering`,
          `every length equal to ${T}, or no sequence_lens`);
      }
    }
    const s: Shape = { T, N, H, G };
    const xFlat = X.reshape([T * N, I]) as tf.Tensor2D;
    const zeros = tf.zeros([N, H]) as tf.Tensor2D;
    const step = STEPS[kind](cfg);
    const keepY = !!node.outputs[0];
    const ys: tf.Tensor[] = [];
    const hs: tf.Tensor[] = [];
    const cs: tf.Tensor[] = [];
    for (let di = 0; di < D; di++) {
      const at = <T extends tf.Tensor>(t: tf.Tensor) => t.slice([di], [1]).reshape(t.shape.slice(1)) as T;
      let bias: tf.Tensor | null = null;
      let Rbh: tf.Tensor | null = null;
      if (B) {
        const b = at<tf.Tensor1D>(B);
        const Wb = b.slice([0], [G * H]);
        let Rb = b.slice([G * H], [G * H]);
        if (kind === 'GRU' && cfg.linearBeforeReset) {
          // Rbh sits inside r ⊙ (…); only the z and r recurrent biases fold into xw.
          Rbh = Rb.slice([2 * H], [H]);
          Rb = tf.concat([Rb.slice([0], [2 * H]), tf.zeros([H])]);
        }
        bias = Wb.add(Rb);
      }
      if (kind === 'GRU' && cfg.linearBeforeReset && !Rbh) Rbh = tf.zeros([H]);
      let xw = matmul2d(xFlat, at<tf.Tensor2D>(W).transpose());
      if (bias) xw = xw.add(bias);
      const d: Dir = {
        xw, RT: at<tf.Tensor2D>(R).transpose(), Rbh, P: P ? at(P) : null,
        h0: h0 ? at<tf.Tensor2D>(h0) : zeros, c0: c0 ? at<tf.Tensor2D>(c0) : zeros,
        act: cfg.activations[di].map(activation),
      };
      // Per-step slices are cheapest for short sequences; past 64 steps their
      // gradients (each a full-size pad) would cost O(T²), so unstack once instead.
      const parts = T > 64 ? tf.unstack(xw.reshape([T, N, G * H])) : null;
      const reverse = cfg.reverse[di];
      let h = d.h0, c = d.c0;
      const yd: tf.Tensor[] = new Array(T);
      for (let k = 0; k < T; k++) {
        const t = reverse ? T - 1 - k : k;
        ({ h, c } = step(d, s, stepInput(d, s, t, parts), h, c));
        yd[t] = h;
      }
      if (keepY) ys.push(tf.stack(yd)); // [T, N, H]
      hs.push(h);
      cs.push(c);
    }
    const Y = keepY ? tf.stack(ys, 1) : undefined; // [T, D, N, H]
    const states = (t: tf.Tensor) => (cfg.layout === 1 ? t.transpose([1, 0, 2]) : t); // [D, N, H] or [N, D, H]
    return [
      Y && cfg.layout === 1 ? Y.transpose([2, 0, 1, 3]) : Y, states(tf.stack(hs)), kind === 'LSTM' ? states(tf.stack(cs)) : undefined,
    ];
  };
}

export const recurrentLowerings: Record<string, Lowering> = {
  LSTM: lowerRecurrent('LSTM'),
  GRU: lowerRecurrent('GRU'),
  RNN: lowerRecurrent('RNN'),
};
