// The ops PyTorch exports for edge models and the ones onnx-csr's rebuild bodies use
// (Where, Expand, ReduceMean, Resize, LayerNormalization, Erf, HardSwish, the scatters,
// CumSum): what ONNX 1.12's node data leaves out, against onnxruntime-node (opsets 10,
// 18, 19; max/min reductions; integer types; broadcasting), the error function against
// CPython's math.erf, and the refusals, which must name node and op.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model, Node, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { executeModel } from '../../runtime/executor.ts';
import { erf } from '../../runtime/ops/erf.ts';
import { referenceKernels } from '../../runtime/ops/index.ts';
import { checkOpAttrs } from '../../runtime/onnx/attr-rules.ts';
import { f32, flt, i64, int, ints, matchOrt, model, of, str, type Case } from './single-node.ts';

const idx = (dims: number[], v: number[]) => of('int64', dims, v);
const scales = (...v: number[]) => ({ init: of('float32', [v.length], v) });
const sizes = (...v: number[]) => ({ init: i64(...v) });
const ramp = (...dims: number[]): Tensor => of('float32', dims, Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => i));
const bool = (dims: number[], v: number[]) => of('bool', dims, v);

const cases: Record<string, Case> = {
  // Scatter: reductions max/min arrived in opset 18; duplicates combine.
  'ScatterElements opset 18 max, axis 0, repeated rows': { op: 'ScatterElements', opset: 18, inputs: [f32(3, 4), idx([2, 4], [0, 2, 1, 0, 0, 2, 2, 1]), f32(2, 4)], attrs: { axis: int(0), reduction: str('max') } },
  'ScatterElements opset 18 min, axis -1, negative indices': { op: 'ScatterElements', opset: 18, inputs: [f32(2, 5), idx([2, 3], [-1, 0, -1, 4, -5, 2]), f32(2, 3)], attrs: { axis: int(-1), reduction: str('min') } },
  'ScatterElements opset 16 mul on int32': { op: 'ScatterElements', opset: 16, inputs: [of('int32', [2, 3], [1, 2, 3, 4, 5, 6]), of('int32', [1, 3], [1, 1, 0]), of('int32', [1, 3], [-3, 7, 40000])], attrs: { reduction: str('mul') } },
  'ScatterElements opset 13, 3-D axis 1, indices smaller than data': { op: 'ScatterElements', opset: 13, inputs: [of('int64', [2, 3, 2], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), idx([1, 2, 2], [2, 0, 1, 2]), of('int64', [1, 2, 2], [-1, -2, -3, -4])], attrs: { axis: int(1) } },
  'Scatter opset 9 (ScatterElements\' old name)': { op: 'Scatter', opset: 9, inputs: [f32(3, 3), idx([2, 3], [1, 0, 2, 0, 2, 1]), f32(2, 3)] },
  'ScatterND opset 16 add with repeated indices (the onnx-csr rebuild)': { op: 'ScatterND', opset: 16, inputs: [f32(4, 3), idx([3, 2], [0, 1, 3, 2, 0, 1]), f32(3)], attrs: { reduction: str('add') } },
  'ScatterND opset 18 max over row slices': { op: 'ScatterND', opset: 18, inputs: [f32(4, 3), idx([3, 1], [2, 0, 2]), f32(3, 3)], attrs: { reduction: str('max') } },
  'ScatterND opset 18 min, k=2 of rank 3': { op: 'ScatterND', opset: 18, inputs: [f32(2, 3, 4), idx([3, 2], [1, 2, 0, 0, 1, 2]), f32(3, 4)], attrs: { reduction: str('min') } },
  'ScatterND opset 13, batch of index tuples [2,2,3]': { op: 'ScatterND', opset: 13, inputs: [f32(2, 3, 4), idx([2, 2, 3], [0, 0, 0, 1, 2, 3, 0, 1, 1, 1, 0, 2]), f32(2, 2)] },
  // CumSum
  'CumSum int32 3-D axis 1 exclusive reverse': { op: 'CumSum', opset: 14, inputs: [of('int32', [2, 3, 2], [1, -2, 3, 4, -5, 6, 7, 8, 9, -10, 11, 12]), { init: of('int32', [], [1]) }], attrs: { exclusive: int(1), reverse: int(1) } },
  'CumSum float axis -1': { op: 'CumSum', opset: 11, inputs: [f32(3, 5), { init: of('int64', [], [-1]) }] },
  // Expand: bidirectional broadcast, shapes shorter than the input, 1s that keep a size.
  'Expand [3,1] to [2,1,6]': { op: 'Expand', opset: 13, inputs: [f32(3, 1), { init: i64(2, 1, 6) }] },
  'Expand [2,3,1] with a shorter shape [4]': { op: 'Expand', opset: 8, inputs: [f32(2, 3, 1), { init: i64(4) }] },
  'Expand int64 scalar to [1,2,3] (the GRU zero state)': { op: 'Expand', opset: 13, inputs: [{ init: of('int64', [], [5]) }, { init: i64(1, 2, 3) }] },
  // Where
  'Where broadcast condition [3,1], X [1,4], Y scalar': { op: 'Where', opset: 16, inputs: [bool([3, 1], [1, 0, 1]), f32(1, 4), f32()], out: ['float32'] },
  'Where int32 opset 9': { op: 'Where', opset: 9, inputs: [bool([2, 2], [0, 1, 1, 0]), of('int32', [2, 2], [1, 2, 3, 4]), of('int32', [2], [-1, -2])], out: ['int32'] },
  // ReduceMean: axes as an input from opset 18, noop_with_empty_axes, integer means.
  'ReduceMean opset 18 axes input [0,2], keepdims 0': { op: 'ReduceMean', opset: 18, inputs: [f32(2, 3, 4), { init: i64(0, 2) }], attrs: { keepdims: int(0) } },
  'ReduceMean opset 18 without axes reduces all': { op: 'ReduceMean', opset: 18, inputs: [f32(2, 3, 4)] },
  'ReduceMean opset 18 noop_with_empty_axes': { op: 'ReduceMean', opset: 18, inputs: [f32(2, 3)], attrs: { noop_with_empty_axes: int(1) } },
  'ReduceMean opset 13 int32 truncates': { op: 'ReduceMean', opset: 13, inputs: [of('int32', [2, 3], [1, 2, 4, -1, -2, -4])], attrs: { axes: ints(1) } },
  'ReduceMean opset 11 all axes, keepdims 0': { op: 'ReduceMean', opset: 11, inputs: [f32(3, 2)], attrs: { keepdims: int(0) } },
  // LayerNormalization: Scale/B broadcast to X, B absent, the statistics outputs.
  'LayerNormalization Scale [1,4], no B, with Mean and InvStdDev': { op: 'LayerNormalization', opset: 17, inputs: [f32(2, 3, 4), f32(1, 4)], out: ['float32', 'float32', 'float32'] },
  'LayerNormalization axis 1, Scale and B [3,4], epsilon 0.1': { op: 'LayerNormalization', opset: 17, inputs: [f32(2, 3, 4), f32(3, 4), f32(3, 4)], attrs: { axis: int(1), epsilon: flt(0.1) } },
  // Erf and HardSwish across their interesting ranges.
  'Erf from -6 to 6': { op: 'Erf', opset: 13, inputs: [of('float32', [9], [-6, -3.5, -2, -0.7, 0, 1e-4, 0.9, 2.5, 6.5])] },
  'HardSwish at the knees': { op: 'HardSwish', opset: 14, inputs: [of('float32', [8], [-4, -3, -2.9, -1, 0, 1.5, 3, 3.2])] },
  // Resize, opset 10: asymmetric; nearest floors upsampling and ceils downsampling.
  'Resize opset 10 nearest, upsample x2 and x2.6': { op: 'Resize', opset: 10, inputs: [ramp(1, 1, 2, 5), scales(1, 1, 2, 2.6)] },
  'Resize opset 10 nearest, downsample x0.7': { op: 'Resize', opset: 10, inputs: [ramp(1, 1, 2, 5), scales(1, 1, 1, 0.7)] },
  'Resize opset 10 linear, x0.6 and x1.7': { op: 'Resize', opset: 10, inputs: [f32(1, 2, 5, 4), scales(1, 1, 0.6, 1.7)], attrs: { mode: str('linear') } },
  // Opsets 11, 13: PyTorch's nearest (asymmetric, floor) and linear (half_pixel), cubic.
  'Resize opset 11 nearest asymmetric floor (F.interpolate nearest)': { op: 'Resize', opset: 11, inputs: [f32(2, 3, 3, 4), { init: of('float32', [0], []) }, scales(1, 1, 2, 2)], attrs: { coordinate_transformation_mode: str('asymmetric'), nearest_mode: str('floor') } },
  'Resize opset 13 linear half_pixel on [N,C,W] (F.interpolate linear)': { op: 'Resize', opset: 13, inputs: [f32(2, 3, 5), null, scales(1, 1, 2.5)], attrs: { mode: str('linear') } },
  'Resize opset 13 bilinear downsample x0.5, x0.6': { op: 'Resize', opset: 13, inputs: [f32(1, 2, 6, 5), null, scales(1, 1, 0.5, 0.6)], attrs: { mode: str('linear') } },
  'Resize opset 13 linear align_corners to sizes': { op: 'Resize', opset: 13, inputs: [f32(1, 2, 3, 4), null, null, sizes(1, 2, 5, 7)], attrs: { mode: str('linear'), coordinate_transformation_mode: str('align_corners') } },
  'Resize opset 13 cubic pytorch_half_pixel to sizes': { op: 'Resize', opset: 13, inputs: [f32(1, 2, 4, 4), null, null, sizes(1, 2, 7, 3)], attrs: { mode: str('cubic'), coordinate_transformation_mode: str('pytorch_half_pixel') } },
  'Resize opset 13 nearest round_prefer_ceil, int8': { op: 'Resize', opset: 13, inputs: [of('int8', [1, 1, 2, 3], [-128, -1, 0, 5, 17, 127]), null, scales(1, 1, 1.5, 2)], attrs: { nearest_mode: str('round_prefer_ceil') } },
  'Resize opset 13 tf_crop_and_resize, linear, extrapolation 3': { op: 'Resize', opset: 13, inputs: [f32(1, 1, 4, 5), { init: of('float32', [8], [0, 0, -0.1, 0.3, 1, 1, 0.8, 1.25]) }, null, sizes(1, 1, 3, 4)], attrs: { mode: str('linear'), coordinate_transformation_mode: str('tf_crop_and_resize'), extrapolation_value: flt(3) } },
  // Opset 18: axes, keep_aspect_ratio_policy; 19: half_pixel_symmetric.
  'Resize opset 18 axes [2,3] sizes, not_larger': { op: 'Resize', opset: 18, inputs: [f32(1, 2, 4, 6), null, null, sizes(6, 6)], attrs: { mode: str('linear'), axes: ints(2, 3), keep_aspect_ratio_policy: str('not_larger') } },
  'Resize opset 18 axes [2,3] sizes, not_smaller on [3,2]': { op: 'Resize', opset: 18, inputs: [f32(1, 1, 3, 2), null, null, sizes(5, 5)], attrs: { axes: ints(2, 3), keep_aspect_ratio_policy: str('not_smaller') } },
  'Resize opset 18 axes [3] scales x1.5, cubic exclude_outside': { op: 'Resize', opset: 18, inputs: [f32(1, 2, 3, 4), null, scales(1.5)], attrs: { axes: ints(3), mode: str('cubic'), exclude_outside: int(1) } },
  'Resize opset 19 half_pixel_symmetric x1.7, x0.6': { op: 'Resize', opset: 19, inputs: [f32(1, 1, 4, 5), null, scales(1, 1, 1.7, 0.6)], attrs: { mode: str('linear'), coordinate_transformation_mode: str('half_pixel_symmetric') } },
  'Resize opset 19 antialias with only upsampling changes nothing': { op: 'Resize', opset: 19, inputs: [f32(1, 1, 3, 3), null, scales(1, 1, 2, 1.5)], attrs: { mode: str('linear'), antialias: int(1) } },
};

matchOrt(cases);

test('erf matches CPython math.erf to 1e-15 across both of its expansions', () => {
  // /usr/bin/python3 -c "import math; print([math.erf(x) for x in ...])"
  const want: [number, number][] = [
    [1e-8, 1.1283791670955126e-08], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149],
    [1.5, 0.9661051464753108], [1.99, 0.995111413199617], [2, 0.9953222650189527], [2.01, 0.9955248493552482],
    [3, 0.9999779095030014], [4, 0.9999999845827421], [5, 0.9999999999984626], [-0.7, -0.6778011938374184],
    [-2.3, -0.9988568234026434], [6, 1], [-30, -1],
  ];
  for (const [x, y] of want) assert.ok(Math.abs(erf(x) - y) <= 1e-15, `erf(${x}) = ${erf(x)}, want ${y}`);
  assert.ok(Number.isNaN(erf(NaN)));
  assert.equal(erf(0), 0);
});

function one(op: string, opset: number, inputs: Record<string, Tensor>, attrs: Node['attrs'] = {}, inNames?: string[]): () => unknown {
  const names = inNames ?? Object.keys(inputs);
  const m: Model = {
    irVersion: 8, opsetImports: [{ domain: '', version: opset }], producerName: 't', producerVersion: '0', functions: [], metadata: {},
    graph: {
      name: 'g', initializers: {}, valueInfo: {},
      inputs: Object.entries(inputs).map(([name, t]) => ({ name, dtype: t.dtype, shape: t.dims })),
      outputs: [{ name: 'y', dtype: 'float32', shape: null }],
      nodes: [{ name: 'n1', op, domain: '', inputs: names, outputs: ['y'], attrs }],
    },
  };
  return () => executeModel(m, inputs, referenceKernels, { opset, file: 'edge.onnx' });
}

/** A RampartError naming the file, node and op, whose message matches. */
const refused = (re: RegExp) => (e: unknown) => e instanceof RampartError && /^edge\.onnx, node 'n1', op \w+: /.test(e.message) && re.test(e.message);

test('refusals name node and op: scatter indices, reductions before their opset, shapes', () => {
  const data = f32(2, 3);
  assert.throws(one('ScatterElements', 16, { data, indices: idx([1, 2], [0, 3]), updates: f32(1, 2) }, { axis: int(1) }), refused(/index 3 is out of range for axis 1/));
  assert.throws(one('ScatterElements', 13, { data, indices: idx([1, 2], [0, 1]), updates: f32(1, 2) }, { reduction: str('add') }), refused(/reduction 'add' at opset 13.*opset >= 16/));
  assert.throws(one('ScatterND', 17, { data, indices: idx([1, 1], [0]), updates: f32(1, 3) }, { reduction: str('max') }), refused(/reduction 'max' at opset 17.*opset >= 18/));
  assert.throws(one('ScatterND', 16, { data, indices: idx([1, 1], [0]), updates: f32(1, 2) }), refused(/updates are \[1,2\].*\[1,3\]/));
  assert.throws(one('ScatterElements', 16, { data, indices: idx([1, 2], [0, 1]), updates: f32(1, 2) }, { reduction: str('sum') }), refused(/reduction 'sum'/));
  assert.throws(one('Where', 16, { c: of('float32', [1], [1]), x: data, y: data }), refused(/condition is float32.*a bool condition/));
  assert.throws(one('Expand', 13, { x: f32(2, 3), s: i64(4, 3) }), refused(/do not broadcast/));
  assert.throws(one('ReduceMean', 13, { x: data }, { axes: ints(1, -1) }), refused(/repeat an axis/));
  assert.throws(one('LayerNormalization', 17, { x: data, s: f32(2) }), refused(/Scale \[2\] does not broadcast to X \[2,3\]/));
  assert.throws(one('CumSum', 14, { x: data, a: i64(0, 1) }), refused(/axis has 2 values/));
});

test('Resize refuses what it does not do, naming node and op', () => {
  const x = f32(1, 1, 4, 4);
  const s = of('float32', [4], [1, 1, 0.5, 0.5]);
  const z = of('int64', [4], [1, 1, 2, 2]);
  assert.throws(one('Resize', 18, { x, s }, { mode: str('linear'), antialias: int(1) }, ['x', '', 's']), refused(/antialias=1 with a shrinking axis/));
  assert.throws(one('Resize', 13, { x, s, z }, {}, ['x', '', 's', 'z']), refused(/both scales and sizes/));
  assert.throws(one('Resize', 13, { x }, {}, ['x']), refused(/neither scales nor sizes/));
  assert.throws(one('Resize', 10, { x, s }, { mode: str('cubic') }), refused(/mode 'cubic'.*opset 10/));
  assert.throws(one('Resize', 13, { x, s }, { coordinate_transformation_mode: str('half_pixel_symmetric') }, ['x', '', 's']), refused(/opset >= 19/));
  assert.throws(one('Resize', 13, { x, s: of('float32', [4], [1, 1, 0, 2]) }, {}, ['x', '', 's']), refused(/scale 0 on axis 2/));
  assert.throws(one('Resize', 13, { x, s }, { mode: str('area') }, ['x', '', 's']), refused(/mode 'area'/));
});

test('attribute rules catch the new ops\' bad attributes at load time', () => {
  const node = (op: string, attrs: Node['attrs']): Node => ({ name: 'n1', op, domain: '', inputs: [], outputs: ['y'], attrs });
  assert.match(checkOpAttrs(node('Resize', { mode: str('area') })) ?? '', /'mode' is 'area'.*nearest, linear, cubic/);
  assert.match(checkOpAttrs(node('Resize', { coordinate_transformation_mode: str('centre') })) ?? '', /coordinate_transformation_mode/);
  assert.match(checkOpAttrs(node('Resize', { nearest_mode: str('round') })) ?? '', /nearest_mode/);
  assert.match(checkOpAttrs(node('Resize', { antialias: int(2) })) ?? '', /antialias/);
  assert.match(checkOpAttrs(node('ScatterND', { reduction: str('sum') })) ?? '', /reduction.*none, add, mul, max, min/);
  assert.match(checkOpAttrs(node('LayerNormalization', { epsilon: flt(-1) })) ?? '', /epsilon' must be >= 0/);
  assert.match(checkOpAttrs(node('CumSum', { reverse: int(3) })) ?? '', /reverse/);
  assert.equal(checkOpAttrs(node('Resize', { mode: str('cubic'), coordinate_transformation_mode: str('tf_half_pixel_for_nn') })), null);
});
