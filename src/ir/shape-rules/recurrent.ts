// LSTM, GRU, RNN: Y [seq, dirs, batch, H], Y_h (and LSTM's Y_c) [dirs, batch, H];
// with layout=1 the batch comes first: Y [batch, seq, dirs, H], Y_h [batch, dirs, H].
import type { Dim } from '../../../runtime/ir.ts';
import { parseRecurrentConfig, type RecurrentKind } from '../../../runtime/ops/recurrent/config.ts';
import { mergeDim, sameDim, show } from './dims.ts';
import type { InferCtx, ShapeRule } from './types.ts';

function check(c: InferCtx, what: string, got: Dim[] | null | undefined, want: Dim[]): void {
  if (!got) return;
  if (got.length !== want.length || got.some((d, i) => sameDim(d, want[i]) === false)) {
    c.fail(`${what} is ${show(got)}`, `${what} of shape ${show(want)}`);
  }
}

export const recurrent: ShapeRule = (c) => {
  const x = c.input(0);
  if (!x) return [];
  // The runtime's reading of the attributes (it refuses what the kernels refuse).
  const cfg = parseRecurrentConfig(c.node, c.node.op as RecurrentKind);
  const g = cfg.gates, layout = cfg.layout, dirs = cfg.numDirections;
  const w = c.input(1)?.shape;
  let hidden: Dim = cfg.hiddenSize;
  if (hidden === null && w && w.length === 3 && typeof w[1] === 'number') hidden = w[1] / g;
  if (x.shape && x.shape.length !== 3) c.fail(`X is ${show(x.shape)}`, layout ? 'X of shape [batch, seq, input]' : 'X of shape [seq, batch, input]');
  const [seq, batch, input]: Dim[] = x.shape ? (layout ? [x.shape[1], x.shape[0], x.shape[2]] : x.shape) : [null, null, null];
  const gh = typeof hidden === 'number' ? g * hidden : null;
  check(c, 'W', w, [dirs, gh, input]);
  check(c, 'R', c.input(2)?.shape, [dirs, gh, hidden]);
  check(c, 'B', c.input(3)?.shape, [dirs, gh === null ? null : 2 * gh]);
  const initial = layout ? [batch, dirs, hidden] : [dirs, batch, hidden];
  check(c, 'initial_h', c.input(5)?.shape, initial);
  if (c.node.op === 'LSTM') {
    check(c, 'initial_c', c.input(6)?.shape, initial);
    check(c, 'P', c.input(7)?.shape, [dirs, typeof hidden === 'number' ? 3 * hidden : null]);
  }
  const b = mergeDim(batch, c.input(5)?.shape?.[layout ? 0 : 1] ?? null);
  const y: Dim[] = layout ? [b, seq, dirs, hidden] : [seq, dirs, b, hidden];
  const state: Dim[] = layout ? [b, dirs, hidden] : [dirs, b, hidden];
  const out = [{ dtype: x.dtype, shape: y }, { dtype: x.dtype, shape: state }];
  if (c.node.op === 'LSTM') out.push({ dtype: x.dtype, shape: state.slice() });
  return out;
};
