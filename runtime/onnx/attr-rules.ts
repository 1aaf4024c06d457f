// Attribute sanity for the supported ai.onnx ops: the values a kernel would
// otherwise trip over deep inside a loop (a zero stride, a negative pad, an
// unknown direction). Returns a message, or null when the node is fine.
import type { Node } from '../ir.ts';

type Rule = (n: Node) => string | null;

const ints = (n: Node, k: string): number[] | null => {
  const a = n.attrs[k];
  return a && a.type === 'ints' ? a.value : null;
};
const int = (n: Node, k: string): number | null => {
  const a = n.attrs[k];
  return a && a.type === 'int' ? a.value : null;
};
function positive(n: Node, k: string): string | null {
  const v = ints(n, k);
  return v && v.some((x) => x < 1) ? `attribute '${k}' must be positive, is [${v.join(',')}]` : null;
}

function oneOf(n: Node, k: string, allowed: (string | number)[]): string | null {
  const v = n.attrs[k];
  if (!v || (v.type !== 'string' && v.type !== 'int')) return null;
  return allowed.includes(v.value) ? null : `attribute '${k}' is '${v.value}' (expected one of ${allowed.join(', ')})`;
}

const window: Rule = (n) => {
  const k = ints(n, 'kernel_shape');
  const pads = ints(n, 'pads');
  for (const key of ['kernel_shape', 'strides', 'dilations']) {
    const e = positive(n, key);
    if (e) return e;
  }
  if (pads && pads.some((p) => p < 0)) return `attribute 'pads' must be non-negative, is [${pads.join(',')}]`;
  if (k && pads && pads.length !== 2 * k.length) return `'pads' has ${pads.length} entries for a ${k.length}-D kernel (expected ${2 * k.length})`;
  for (const key of ['strides', 'dilations']) {
    const v = ints(n, key);
    if (k && v && v.length !== k.length) return `'${key}' has ${v.length} entries for a ${k.length}-D kernel`;
  }
  const g = int(n, 'group');
  if (g !== null && g < 1) return `attribute 'group' must be >= 1, is ${g}`;
  return oneOf(n, 'auto_pad', ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID']);
};

const recurrent: Rule = (n) => {
  const h = int(n, 'hidden_size');
  if (h !== null && h < 1) return `attribute 'hidden_size' must be >= 1, is ${h}`;
  return oneOf(n, 'direction', ['forward', 'reverse', 'bidirectional']) ?? oneOf(n, 'layout', [0, 1]);
};

const flag = (...keys: string[]): Rule => (n) => {
  for (const k of keys) {
    const e = oneOf(n, k, [0, 1]);
    if (e) return e;
  }
  return null;
};

const transpose: Rule = (n) => {
  const p = ints(n, 'perm');
  if (!p) return null;
  const sorted = [...p].sort((a, b) => a - b);
  return sorted.every((x, i) => x === i) ? null : `attribute 'perm' [${p.join(',')}] is not a permutation`;
};

const cast: Rule = (n) => {
  const to = int(n, 'to');
  return to !== null && (to < 1 || to > 23) ? `attribute 'to' is ${to}, not an ONNX data type` : null;
};

const RULES: Record<string, Rule> = {
  Conv: window, MaxPool: window, AveragePool: window,
  LSTM: recurrent, GRU: recurrent, RNN: recurrent,
  Gemm: flag('transA', 'transB'),
  Transpose: transpose,
  Cast: cast,
  Concat: (n) => (int(n, 'axis') === null ? "Concat needs an integer 'axis' attribute" : null),
  BatchNormalization: (n) => {
    const e = n.attrs.epsilon;
    return e && e.type === 'float' && !(e.value >= 0) ? `attribute 'epsilon' must be >= 0, is ${e.value}` : null;
  },
};

export function checkOpAttrs(node: Node): string | null {
  const rule = RULES[node.op];
  if (!rule) return null;
  return rule(node);
}
