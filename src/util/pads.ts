// ONNX Pad's pads, per axis, for the lowerings that emit Pad (tfjs in src/train, C in
// targets/c). The reference kernel (runtime/ops/pad.ts) reads them the same way:
//   opset < 11: the `pads` attribute; from 11: input 1; opset 18 adds input 3, `axes`.
// `pads` lists every padded axis's begin, then every end.
import type { Node } from '../../runtime/ir.ts';
import { attrInts, fail } from '../../runtime/ops/attrs.ts';

/** `ints(i, what)`: input i as host integers, undefined when absent. */
export function padsPerAxis(node: Node, opset: number, rank: number, ints: (i: number, what: string) => number[] | undefined): { begin: number[]; end: number[] } {
  const raw = opset < 11
    ? attrInts(node, 'pads') ?? fail(node, 'attribute pads is missing', 'pads (opset < 11)')
    : ints(1, 'pads') ?? fail(node, 'input 1 (pads) is missing', 'the pads input (opset >= 11)');
  const given = opset >= 18 ? ints(3, 'axes') : undefined;
  const axes = (given ?? [...Array(rank).keys()]).map((a) => {
    if (!Number.isInteger(a) || a < -rank || a >= rank) fail(node, `axes entry ${a} is out of range for rank ${rank}`, `an integer in [${-rank}, ${rank - 1}]`);
    return a < 0 ? a + rank : a;
  });
  if (raw.length !== 2 * axes.length) fail(node, `pads has ${raw.length} values for ${axes.length} padded axes`, `${2 * axes.length} pads (begins, then ends)`);
  const begin = new Array<number>(rank).fill(0);
  const end = new Array<number>(rank).fill(0);
  axes.forEach((a, i) => { begin[a] = raw[i]; end[a] = raw[i + axes.length]; });
  return { begin, end };
}
