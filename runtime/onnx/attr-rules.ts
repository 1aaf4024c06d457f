// Attribute sanity for the supported ai.onnx ops: the values a kernel would
// otherwise trip over deep inside a loop (a zero stride, a negative pad, an
// unknown direction). Returns a message, or null when the node is fine.
import type { Node } from '../ir.ts';
import { ASPECT_POLICIES, COORDS, NEAREST, RESIZE_MODES } from '../ops/resize-axis.ts';
import { SCATTER_REDUCTIONS } from '../ops/scatter.ts';

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

function epsilon(n: Node): string | null {
  const e = n.attrs.epsilon;
  return e && e.type === 'float' && !(e.value >= 0) ? `attribute 'epsilon' must be >= 0, is ${e.value}` : null;
}

const RULES: Record<string, Rule> = {
  Conv: window, MaxPool: window, AveragePool: window,
  LSTM: recurrent, GRU: recurrent, RNN: recurrent,
  Gemm: flag('transA', 'transB'),
  Transpose: transpose,
  Cast: cast,
  Concat: (n) => (int(n, 'axis') === null ? "Concat needs an integer 'axis' attribute" : null),
  BatchNormalization: epsilon,
  LayerNormalization: epsilon,
  Resize: (n) => oneOf(n, 'mode', RESIZE_MODES) ?? oneOf(n, 'coordinate_transformation_mode', COORDS) ?? oneOf(n, 'nearest_mode', NEAREST)
    ?? oneOf(n, 'keep_aspect_ratio_policy', ASPECT_POLICIES) ?? flag('exclude_outside', 'antialias')(n),
  ScatterElements: (n) => oneOf(n, 'reduction', SCATTER_REDUCTIONS),
  ScatterND: (n) => oneOf(n, 'reduction', SCATTER_REDUCTIONS),
  CumSum: flag('exclusive', 'reverse'),
  ReduceMean: flag('keepdims', 'noop_with_empty_axes'),
};

/**
 * Float attributes must be finite: a NaN or infinite alpha, epsilon or clip is a broken
 * export, and targets that write constants out (the C target) cannot express it. The
 * exceptions are the attributes where ±Inf means something: Clip's bounds (no bound)
 * and Pad's fill value (-Inf pads ahead of a max).
 */
const INFINITE_OK: Record<string, readonly string[]> = { Clip: ['min', 'max'], Pad: ['value'] };

function finiteFloats(n: Node): string | null {
  const allowed = Object.hasOwn(INFINITE_OK, n.op) ? INFINITE_OK[n.op] : [];
  for (const [k, a] of Object.entries(n.attrs)) {
    if (allowed.includes(k)) continue;
    if (a.type === 'float' && !Number.isFinite(a.value)) return `attribute '${k}' is ${a.value} (expected a finite number)`;
    if (a.type === 'floats' && a.value.some((x) => !Number.isFinite(x))) return `attribute '${k}' [${a.value.join(',')}] holds a non-finite number (expected finite numbers)`;
  }
  return null;
}

export function checkOpAttrs(node: Node): string | null {
  // Own keys only: an op named 'constructor' must not find Object's.
  const rule = Object.hasOwn(RULES, node.op) ? RULES[node.op] : undefined;
  return rule?.(node) ?? finiteFloats(node);
}
