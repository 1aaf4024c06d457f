// Parsing a recurrent node's attributes into a plain RecurrentConfig (layout,
// directions, gate layout, activation lists with alpha/beta, clip, GRU
// linear_before_reset, LSTM input_forget). The one reading of these attributes: the
// reference cells, the js/wasm kernels (runtime/kernels/recurrent-spec.ts), the C
// target and the tfjs lowering all build on it, so they accept and refuse the same nodes.
import type { Node } from '../../ir.ts';
import { RampartError } from '../../errors.ts';
import { attrFloat, attrFloats, attrInt, attrString, attrStrings } from '../attrs.ts';
import { buildActivations, type Activation, type ActivationName } from './activations.ts';

export type RecurrentKind = 'LSTM' | 'GRU' | 'RNN';
export type Direction = 'forward' | 'reverse' | 'bidirectional';

/**
 * The one table of the three ops: gate layout of the stacked W / R / B tensors in ONNX
 * order, and the default activations of one direction (LSTM f, g, h; GRU f, g; RNN f).
 */
export const RECURRENT_OPS: Readonly<Record<RecurrentKind, { gates: readonly string[]; activations: readonly ActivationName[] }>> = {
  LSTM: { gates: ['i', 'o', 'f', 'c'], activations: ['Sigmoid', 'Tanh', 'Tanh'] },
  GRU: { gates: ['z', 'r', 'h'], activations: ['Sigmoid', 'Tanh'] },
  RNN: { gates: ['i'], activations: ['Tanh'] },
};

/** Gate names per op, in ONNX order (RECURRENT_OPS[kind].gates). */
export const GATES: Readonly<Record<RecurrentKind, readonly string[]>> = {
  LSTM: RECURRENT_OPS.LSTM.gates, GRU: RECURRENT_OPS.GRU.gates, RNN: RECURRENT_OPS.RNN.gates,
};

export function isRecurrentKind(op: string): op is RecurrentKind {
  return op === 'LSTM' || op === 'GRU' || op === 'RNN';
}

export interface RecurrentConfig {
  kind: RecurrentKind;
  node: string;
  /** ONNX `layout`: 0 is X [seq, batch, input] and states [dirs, batch, H]; 1 puts the batch first. */
  layout: 0 | 1;
  direction: Direction;
  numDirections: 1 | 2;
  /** Per direction: runs time backwards (direction 1 of a bidirectional node, or a reverse node). */
  reverse: boolean[];
  /** From the hidden_size attribute; null when absent (then R's last dim decides). */
  hiddenSize: number | null;
  /** Number of stacked gates: LSTM 4, GRU 3, RNN 1. */
  gates: number;
  gateNames: readonly string[];
  /** activations[direction] = the per-direction list (f, g, h for LSTM). */
  activations: Activation[][];
  /** Threshold applied to every gate pre-activation, or null for none. */
  clip: number | null;
  /** GRU: apply the reset gate after the recurrent linear map (1) or before it (0). */
  linearBeforeReset: boolean;
  /** LSTM: couple the forget gate to the input gate, f = 1 - i. */
  inputForget: boolean;
}

function where(node: Node) {
  return { node: node.name, op: node.op };
}

export function parseRecurrentConfig(node: Node, kind: RecurrentKind): RecurrentConfig {
  const layout = attrInt(node, 'layout', 0);
  if (layout !== 0 && layout !== 1) {
    throw new RampartError(`layout=${layout}`, { ...where(node), expected: '0 (X [seq, batch, input]) or 1 (X [batch, seq, input])' });
  }
  const direction = attrString(node, 'direction', 'forward');
  if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional') {
    throw new RampartError(`direction '${direction}'`, { ...where(node), expected: 'forward, reverse or bidirectional' });
  }
  const numDirections = direction === 'bidirectional' ? 2 : 1;
  const hidden = attrInt(node, 'hidden_size');
  if (hidden !== undefined && (!Number.isInteger(hidden) || hidden <= 0)) {
    throw new RampartError(`hidden_size=${hidden}`, { ...where(node), expected: 'a positive integer' });
  }
  const clipAttr = attrFloat(node, 'clip');
  if (clipAttr !== undefined && !(clipAttr > 0)) {
    throw new RampartError(`clip=${clipAttr}`, { ...where(node), expected: 'a positive threshold' });
  }
  return {
    kind,
    node: node.name,
    layout,
    direction,
    numDirections,
    reverse: numDirections === 2 ? [false, true] : [direction === 'reverse'],
    hiddenSize: hidden ?? null,
    gates: GATES[kind].length,
    gateNames: GATES[kind],
    activations: parseActivations(node, kind, numDirections),
    clip: clipAttr ?? null,
    linearBeforeReset: kind === 'GRU' && attrInt(node, 'linear_before_reset', 0) !== 0,
    inputForget: kind === 'LSTM' && attrInt(node, 'input_forget', 0) !== 0,
  };
}

function parseActivations(node: Node, kind: RecurrentKind, dirs: number): Activation[][] {
  const defaults = RECURRENT_OPS[kind].activations;
  const per = defaults.length;
  let names: readonly string[] = attrStrings(node, 'activations') ?? [];
  if (names.length === 0) names = Array.from({ length: dirs }, () => defaults).flat();
  // The spec writes RNN's default as [Tanh, Tanh] (one per direction of a bidirectional
  // node); a forward node carrying that list uses the first, as onnxruntime does.
  if (dirs === 1 && names.length === 2 * per && kind === 'RNN') names = names.slice(0, per);
  const list = buildActivations(names, attrFloats(node, 'activation_alpha') ?? [], attrFloats(node, 'activation_beta') ?? [], where(node));
  if (list.length === per * dirs) return Array.from({ length: dirs }, (_, d) => list.slice(d * per, (d + 1) * per));
  // A bidirectional node given one direction's list: both directions use it.
  if (dirs === 2 && list.length === per) return [list, list];
  throw new RampartError(`activations lists ${names.length} functions`, {
    ...where(node), expected: `${per * dirs} (${per} per direction: ${defaults.join(', ')})`,
  });
}
