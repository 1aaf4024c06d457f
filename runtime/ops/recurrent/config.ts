// Parsing a recurrent node's attributes into a plain RecurrentConfig (directions,
// gate layout, activation lists with alpha/beta, clip, GRU linear_before_reset, LSTM
// input_forget). Shared by the reference cells and the fast sparse kernels.
import type { Node } from '../../ir.ts';
import { RampartError } from '../../errors.ts';
import { attrFloat, attrFloats, attrInt, attrString, attrStrings } from '../attrs.ts';
import { buildActivations, type Activation } from './activations.ts';

export type RecurrentKind = 'LSTM' | 'GRU' | 'RNN';
export type Direction = 'forward' | 'reverse' | 'bidirectional';

/** Gate layout of the stacked W / R / B tensors, in ONNX order. */
export const GATES: Record<RecurrentKind, readonly string[]> = {
  LSTM: ['i', 'o', 'f', 'c'],
  GRU: ['z', 'r', 'h'],
  RNN: ['i'],
};

/** Activations per direction: LSTM f, g, h; GRU f, g; RNN f. */
const DEFAULT_ACTIVATIONS: Record<RecurrentKind, readonly string[]> = {
  LSTM: ['Sigmoid', 'Tanh', 'Tanh'],
  GRU: ['Sigmoid', 'Tanh'],
  RNN: ['Tanh'],
};

export interface RecurrentConfig {
  kind: RecurrentKind;
  node: string;
  direction: Direction;
  numDirections: 1 | 2;
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
  if (layout !== 0) {
    throw new RampartError(`layout=${layout} (batch-first X/Y/states) is not supported`, {
      ...where(node),
      expected: 'layout 0, X [seq, batch, input]; PyTorch exports batch_first models that way, with a Transpose',
    });
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
    direction,
    numDirections,
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
  const per = DEFAULT_ACTIVATIONS[kind].length;
  let names = attrStrings(node, 'activations') ?? [];
  if (names.length === 0) names = Array.from({ length: dirs }, () => DEFAULT_ACTIVATIONS[kind]).flat();
  // The spec writes RNN's default as [Tanh, Tanh] (one per direction of a bidirectional
  // node); a forward node carrying that list uses the first, as onnxruntime does.
  if (dirs === 1 && names.length === 2 * per && kind === 'RNN') names = names.slice(0, per);
  const list = buildActivations(names, attrFloats(node, 'activation_alpha') ?? [], attrFloats(node, 'activation_beta') ?? [], where(node));
  if (list.length === per * dirs) return Array.from({ length: dirs }, (_, d) => list.slice(d * per, (d + 1) * per));
  // A bidirectional node given one direction's list: both directions use it.
  if (dirs === 2 && list.length === per) return [list, list];
  throw new RampartError(`activations lists ${names.length} functions`, {
    ...where(node), expected: `${per * dirs} (${per} per direction: ${DEFAULT_ACTIVATIONS[kind].join(', ')})`,
  });
}
