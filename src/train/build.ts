// Builds the zoo's initial ONNX graphs (src/train/recipes.ts) directly as IR, shaped
// like PyTorch's exports of the same modules (opset 14, batch dim 'N'), with seeded
// random initial weights. Training then goes through the same lowering as any
// imported model, so the zoo exercises the path users take.
//
//   recurrent: input [N,28,28] → Transpose(1,0,2) → LSTM|GRU|RNN → Y_h [1,N,H]
//              → Squeeze(0) → Gemm(fc) → logits [N,10]; stacked (layers > 1) as
//              PyTorch's num_layers: layer l's Y [T,1,N,H] → Squeeze(1) → layer l+1
//   cnn:       input [N,1,28,28] → (Conv 3x3 pad 1 → Relu → MaxPool 2) × 2 → Flatten
//              → Gemm → Relu → Gemm → logits [N,10]
import type { Model, Node, Tensor, Attr } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { f32, i64 } from '../../runtime/tensor.ts';
import { mulberry32 } from '../util/random.ts';

export type RecurrentArch = {
  kind: 'lstm' | 'gru' | 'rnn';
  hidden: number;
  /** Stacked layers (default 1), each of `hidden` units; layer l > 0 reads layer l-1's Y. */
  layers?: number;
  /** Sequence layout: steps × features = 784 (default 28 × 28, row by row). */
  steps?: number;
  features?: number;
  classes?: number;
};

export type CnnArch = {
  kind: 'cnn';
  /** Output channels of the two conv blocks. */
  channels: [number, number];
  /** Width of the hidden fully connected layer. */
  dense: number;
  classes?: number;
};

export type Arch = RecurrentArch | CnnArch;

const OPSET = 14;

function uniform(rand: () => number, n: number, bound: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rand() * 2 - 1) * bound;
  return a;
}

function node(name: string, op: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}): Node {
  return { name, op, domain: '', inputs, outputs, attrs };
}

const int = (value: number): Attr => ({ type: 'int', value });
const ints = (value: number[]): Attr => ({ type: 'ints', value });

function model(name: string, input: { name: string; shape: (number | string)[] }, classes: number,
  nodes: Node[], initializers: Record<string, Tensor>): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: OPSET }],
    producerName: 'rampart',
    producerVersion: '0.1.0',
    graph: {
      name,
      inputs: [{ name: input.name, dtype: 'float32', shape: input.shape }],
      outputs: [{ name: 'logits', dtype: 'float32', shape: ['N', classes] }],
      initializers,
      nodes,
      valueInfo: {},
    },
    functions: [],
    metadata: {},
  };
}

const GATES = { lstm: 4, gru: 3, rnn: 1 } as const;
const OPS = { lstm: 'LSTM', gru: 'GRU', rnn: 'RNN' } as const;

function buildRecurrent(a: RecurrentArch, seed: number): Model {
  const rand = mulberry32(seed);
  const T = a.steps ?? 28;
  const I = a.features ?? 28;
  const H = a.hidden;
  const C = a.classes ?? 10;
  if (T * I !== 784) throw new RampartError(`steps ${T} x features ${I}`, { expected: '784 pixels per image' });
  const G = GATES[a.kind];
  const L = a.layers ?? 1;
  if (!(Number.isInteger(L) && L >= 1)) throw new RampartError(`layers ${L}`, { expected: 'a positive integer' });
  // PyTorch's default: every recurrent weight and bias U(-1/√H, 1/√H).
  const k = 1 / Math.sqrt(H);
  const op = OPS[a.kind];
  const attrs: Record<string, Attr> = { hidden_size: int(H) };
  // PyTorch's GRU applies the reset gate after the recurrent product.
  if (a.kind === 'gru') attrs.linear_before_reset = int(1);
  const init: Record<string, Tensor> = {};
  const nodes = [node('transpose', 'Transpose', ['input'], ['x_time_major'], { perm: ints([1, 0, 2]) })];
  let x = 'x_time_major';
  for (let l = 0; l < L; l++) {
    // One layer keeps the zoo's original names (lstm.W, ...): committed models stay valid.
    const p = L === 1 ? a.kind : `${a.kind}${l}`;
    const inSize = l === 0 ? I : H;
    const B = uniform(rand, 2 * G * H, k);
    if (a.kind === 'lstm') {
      // Forget-gate bias 1 (Jozefowicz et al. 2015): gradients reach early steps from
      // the start. ONNX gate order i,o,f,c puts f at rows 2H..3H of Wb.
      B.fill(1, 2 * H, 3 * H);
      B.fill(0, G * H + 2 * H, G * H + 3 * H);
    }
    init[`${p}.W`] = f32([1, G * H, inSize], uniform(rand, G * H * inSize, k));
    init[`${p}.R`] = f32([1, G * H, H], uniform(rand, G * H * H, k));
    init[`${p}.B`] = f32([1, 2 * G * H], B);
    const last = l === L - 1;
    const y = last ? '' : `${p}_y`;
    const outs = a.kind === 'lstm' ? [y, last ? 'h_n' : '', ''] : [y, last ? 'h_n' : ''];
    nodes.push(node(p, op, [x, `${p}.W`, `${p}.R`, `${p}.B`], outs, attrs));
    if (!last) {
      init[`${p}.squeeze_axes`] = i64([1], [1]);
      nodes.push(node(`${p}_squeeze`, 'Squeeze', [y, `${p}.squeeze_axes`], [`${p}_seq`]));
      x = `${p}_seq`;
    }
  }
  init['squeeze.axes'] = i64([1], [0]);
  init['fc.weight'] = f32([C, H], uniform(rand, C * H, k));
  init['fc.bias'] = f32([C], uniform(rand, C, k));
  nodes.push(
    node('squeeze', 'Squeeze', ['h_n', 'squeeze.axes'], ['h_last']),
    node('fc', 'Gemm', ['h_last', 'fc.weight', 'fc.bias'], ['logits'], { transB: int(1) }),
  );
  const p = L === 1 ? a.kind : `${a.kind}${L}x`;
  return model(`${p}${H}`, { name: 'input', shape: ['N', T, I] }, C, nodes, init);
}

function buildCnn(a: CnnArch, seed: number): Model {
  const rand = mulberry32(seed);
  const [c1, c2] = a.channels;
  const C = a.classes ?? 10;
  const flat = c2 * 7 * 7;
  // He-uniform bounds for layers followed by ReLU; biases start at zero.
  const he = (fanIn: number) => Math.sqrt(6 / fanIn);
  const init: Record<string, Tensor> = {
    'conv1.weight': f32([c1, 1, 3, 3], uniform(rand, c1 * 9, he(9))),
    'conv1.bias': f32([c1]),
    'conv2.weight': f32([c2, c1, 3, 3], uniform(rand, c2 * c1 * 9, he(c1 * 9))),
    'conv2.bias': f32([c2]),
    'fc1.weight': f32([a.dense, flat], uniform(rand, a.dense * flat, he(flat))),
    'fc1.bias': f32([a.dense]),
    'fc2.weight': f32([C, a.dense], uniform(rand, C * a.dense, 1 / Math.sqrt(a.dense))),
    'fc2.bias': f32([C]),
  };
  const conv = { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([1, 1]) };
  const pool = { kernel_shape: ints([2, 2]), strides: ints([2, 2]) };
  const nodes = [
    node('conv1', 'Conv', ['input', 'conv1.weight', 'conv1.bias'], ['conv1_out'], conv),
    node('relu1', 'Relu', ['conv1_out'], ['relu1_out']),
    node('pool1', 'MaxPool', ['relu1_out'], ['pool1_out'], pool),
    node('conv2', 'Conv', ['pool1_out', 'conv2.weight', 'conv2.bias'], ['conv2_out'], conv),
    node('relu2', 'Relu', ['conv2_out'], ['relu2_out']),
    node('pool2', 'MaxPool', ['relu2_out'], ['pool2_out'], pool),
    node('flatten', 'Flatten', ['pool2_out'], ['flat'], { axis: int(1) }),
    node('fc1', 'Gemm', ['flat', 'fc1.weight', 'fc1.bias'], ['fc1_out'], { transB: int(1) }),
    node('relu3', 'Relu', ['fc1_out'], ['relu3_out']),
    node('fc2', 'Gemm', ['relu3_out', 'fc2.weight', 'fc2.bias'], ['logits'], { transB: int(1) }),
  ];
  return model('cnn', { name: 'input', shape: ['N', 1, 28, 28] }, C, nodes, init);
}

/** The untrained model of an architecture; the same seed gives the same weights. */
export function buildModel(arch: Arch, seed: number): Model {
  if (arch.kind === 'cnn') return buildCnn(arch, seed);
  if (arch.kind === 'lstm' || arch.kind === 'gru' || arch.kind === 'rnn') return buildRecurrent(arch, seed);
  throw new RampartError(`unknown architecture '${(arch as { kind: string }).kind}'`, { expected: 'lstm, gru, rnn or cnn' });
}

/** Number of float parameters (initializer elements) of a model. */
export function paramCount(m: Model): number {
  let n = 0;
  for (const t of Object.values(m.graph.initializers)) if (t.dtype === 'float32') n += t.data.length;
  return n;
}
