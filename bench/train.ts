// Training-step cost of the tfjs lowering (src/train), the numbers behind
// docs/design/train.md "Speed, and the backend choice":
//   - LSTM-128 (batch 64, 28 steps): the lowering with matmul2d's gradient on wasm
//     and cpu, the same ONNX-order loop with tfjs's stock MatMul gradient, and a
//     Keras tf.layers.lstm model (what the lowering replaced);
//   - the zoo CNN (batch 64): the lowering (im2col filter gradient) on wasm and cpu,
//     and tfjs's stock conv2d gradient on cpu (wasm has no Conv2DBackpropFilter).
// One step = forward + backward + Adam update. Reported: the least of a few runs
// after warm-up (the machine is shared; the minimum is the stable estimate).
//
//   npx tsx bench/train.ts            # writes bench/results/train.json
//   npx tsx bench/train.ts lstm       # only cases whose name [backend] contains 'lstm' (no file)
import { pathToFileURL } from 'node:url';
import { tf } from '../src/train/tf.ts';
import { useBackend, type BackendName } from '../src/train/backend.ts';
import { buildModel } from '../src/train/build.ts';
import { lowerToTfjs } from '../src/train/lower.ts';
import { conditions, table, writeJson } from './common.ts';

const N = 64;
const H = 128;

type Step = () => void | Promise<unknown>;

async function leastMs(step: Step, runs: number): Promise<number> {
  await step();
  await step();
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await step();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

function apply(opt: tf.Optimizer, grads: tf.NamedTensorMap): void {
  opt.applyGradients(grads as unknown as Record<string, tf.Variable>);
}

function labels(): tf.Tensor {
  return tf.oneHot(tf.tensor1d(Int32Array.from({ length: N }, (_, i) => i % 10), 'int32'), 10);
}

/** A step of the lowering of a zoo architecture. */
function loweredStep(kind: 'lstm' | 'cnn'): { step: Step; dispose: () => void } {
  const model = kind === 'lstm' ? buildModel({ kind: 'lstm', hidden: H }, 1) : buildModel({ kind: 'cnn', channels: [16, 32], dense: 64 }, 1);
  const low = lowerToTfjs(model);
  const x = tf.randomUniform(kind === 'lstm' ? [N, 28, 28] : [N, 1, 28, 28], 0, 1, 'float32', 1);
  const y = labels();
  const opt = tf.train.adam(1e-3);
  const vars = low.trainable.map((n) => low.variables[n]);
  const step = () => tf.tidy(() => {
    const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, low.forward({ input: x }).logits) as tf.Scalar, vars);
    apply(opt, grads);
    Object.values(grads)[0].dataSync();
  });
  return { step, dispose: () => { low.dispose(); opt.dispose(); tf.dispose([x, y]); } };
}

/** The same LSTM loop with tfjs's stock MatMul gradient (transpose flags). */
function stockMatmulLstmStep(): { step: Step; dispose: () => void } {
  const v = (s: number[]) => tf.variable(tf.randomUniform(s, -0.09, 0.09, 'float32', 2));
  const W = v([4 * H, 28]), R = v([4 * H, H]), B = v([4 * H]), G = v([10, H]);
  const x = tf.randomUniform([28 * N, 28], 0, 1, 'float32', 1);
  const y = labels();
  const opt = tf.train.adam(1e-3);
  const f = () => {
    const xw = tf.matMul(x, W, false, true).add(B);
    let h = tf.zeros([N, H]) as tf.Tensor2D, c = tf.zeros([N, H]) as tf.Tensor2D;
    for (let t = 0; t < 28; t++) {
      const g = xw.slice([t * N, 0], [N, 4 * H]).add(tf.matMul(h, R, false, true));
      const s = tf.sigmoid(g.slice([0, 0], [N, 3 * H]));
      c = s.slice([0, 2 * H], [N, H]).mul(c).add(s.slice([0, 0], [N, H]).mul(tf.tanh(g.slice([0, 3 * H], [N, H])))) as tf.Tensor2D;
      h = s.slice([0, H], [N, H]).mul(tf.tanh(c)) as tf.Tensor2D;
    }
    return tf.losses.softmaxCrossEntropy(y, tf.matMul(h, G, false, true)) as tf.Scalar;
  };
  const step = () => tf.tidy(() => { const { grads } = tf.variableGrads(f); apply(opt, grads); Object.values(grads)[0].dataSync(); });
  return { step, dispose: () => { tf.dispose([W, R, B, G, x, y]); opt.dispose(); } };
}

/** A Keras LSTM layer (tfjs defaults aside from sigmoid recurrent activation) + Dense. */
function kerasLstmStep(): { step: Step; dispose: () => void } {
  const m = tf.sequential({
    layers: [
      tf.layers.lstm({ units: H, inputShape: [28, 28], recurrentActivation: 'sigmoid' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  m.compile({ optimizer: tf.train.adam(1e-3), loss: (a: tf.Tensor, b: tf.Tensor) => tf.losses.softmaxCrossEntropy(a, b) });
  const x = tf.randomUniform([N, 28, 28], 0, 1, 'float32', 1);
  const y = labels();
  const step = () => m.trainOnBatch(x, y);
  return { step, dispose: () => { m.dispose(); tf.dispose([x, y]); } };
}

/** The zoo CNN written with tf.conv2d, so tfjs's stock conv gradient runs. */
function stockConvCnnStep(): { step: Step; dispose: () => void } {
  const v = (s: number[]) => tf.variable(tf.randomUniform(s, -0.1, 0.1, 'float32', 3));
  const k1 = v([3, 3, 1, 16]), k2 = v([3, 3, 16, 32]), w1 = v([1568, 64]), w2 = v([64, 10]);
  const x = tf.randomUniform([N, 28, 28, 1], 0, 1, 'float32', 1);
  const y = labels();
  const opt = tf.train.adam(1e-3);
  const f = () => {
    const a = tf.maxPool(tf.relu(tf.conv2d(x as tf.Tensor4D, k1 as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
    const b = tf.maxPool(tf.relu(tf.conv2d(a, k2 as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
    const z = tf.relu(tf.matMul(b.reshape([N, 1568]), w1)).matMul(w2);
    return tf.losses.softmaxCrossEntropy(y, z) as tf.Scalar;
  };
  const step = () => tf.tidy(() => { const { grads } = tf.variableGrads(f); apply(opt, grads); Object.values(grads)[0].dataSync(); });
  return { step, dispose: () => { tf.dispose([k1, k2, w1, w2, x, y]); opt.dispose(); } };
}

interface Row { case: string; backend: BackendName; msPerStep: number }

export async function run(args: string[] = []): Promise<void> {
  const cases: [string, BackendName, () => { step: Step; dispose: () => void }, number][] = [
    ['lstm128: lowering (matmul2d gradient)', 'wasm', () => loweredStep('lstm'), 5],
    ['lstm128: lowering (matmul2d gradient)', 'cpu', () => loweredStep('lstm'), 2],
    ['lstm128: same loop, stock tf.matMul gradient', 'wasm', stockMatmulLstmStep, 3],
    ['lstm128: same loop, stock tf.matMul gradient', 'cpu', stockMatmulLstmStep, 2],
    ['lstm128: Keras tf.layers.lstm + dense', 'wasm', kerasLstmStep, 3],
    ['cnn: lowering (im2col filter gradient)', 'wasm', () => loweredStep('cnn'), 5],
    ['cnn: lowering (im2col filter gradient)', 'cpu', () => loweredStep('cnn'), 2],
    ['cnn: stock tf.conv2d gradient', 'cpu', stockConvCnnStep, 1],
  ];
  const only = args[0];
  const rows: Row[] = [];
  for (const [name, backend, make, runs] of cases) {
    if (only && !`${name} [${backend}]`.includes(only)) continue;
    await useBackend(backend);
    const c = make();
    try {
      rows.push({ case: name, backend, msPerStep: Math.round(await leastMs(c.step, runs)) });
    } finally {
      c.dispose();
    }
    process.stderr.write(`${name} [${backend}]: ${rows[rows.length - 1].msPerStep} ms\n`);
  }
  if (!only) writeJson(new URL('./results/train.json', import.meta.url).pathname, { conditions: { ...conditions(), batch: N }, rows });
  process.stdout.write(table(['case', 'backend', 'ms/step'], rows.map((r) => [r.case, r.backend, String(r.msPerStep)])) + '\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run(process.argv.slice(2));
