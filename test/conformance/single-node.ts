// Single-node models for differential tests against onnxruntime (ort-diff.test.ts,
// edge-ops.test.ts): deterministic inputs, attribute makers, and the model of one node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attr, DType, Model, Tensor } from '../../runtime/ir.ts';
import { executeModel } from '../../runtime/executor.ts';
import { referenceKernels } from '../../runtime/ops/index.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import { runOrt } from '../onnx/ort.ts';
import { tensorMismatch } from './harness.ts';

// Deterministic inputs: mulberry32.
let seed = 0x5eed;
export function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
export const f32 = (...dims: number[]): Tensor => ({ dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rand() * 4 - 2) });
export const of = (dtype: DType, dims: number[], v: number[]): Tensor => {
  const ctor = { int64: Float64Array, int32: Int32Array, float32: Float32Array, float64: Float64Array, bool: Uint8Array, uint8: Uint8Array, int8: Int8Array } as Record<string, new (a: number[]) => Tensor['data']>;
  return { dtype, dims, data: new ctor[dtype](v) };
};
export const i64 = (...v: number[]) => of('int64', [v.length], v);
export const INT64_MAX = 9223372036854775807; // saturates to 2^63 in float64, as the importer stores it
export const INT64_MIN = -9223372036854775808;

export const int = (value: number): Attr => ({ type: 'int', value });
export const ints = (...value: number[]): Attr => ({ type: 'ints', value });
export const flt = (value: number): Attr => ({ type: 'float', value });
export const str = (value: string): Attr => ({ type: 'string', value });
export const tns = (value: Tensor): Attr => ({ type: 'tensor', value });

export interface Case {
  op: string;
  opset: number;
  /** Runtime inputs; `init` ones become initializers (constants ORT can fold, int64 sentinels). */
  inputs: (Tensor | { init: Tensor } | null)[];
  attrs?: Record<string, Attr>;
  /** Output dtypes (ORT checks them against its inference); default: the first input's. */
  out?: DType[];
}

export function model(c: Case): { model: Model; feeds: Record<string, Tensor> } {
  const feeds: Record<string, Tensor> = {};
  const initializers: Record<string, Tensor> = {};
  const names = c.inputs.map((t, i) => {
    if (t === null) return '';
    if ('init' in t) initializers[`in${i}`] = t.init;
    else feeds[`in${i}`] = t;
    return `in${i}`;
  });
  const first = c.inputs[0];
  const dtypes = c.out ?? [first && 'init' in first ? first.init.dtype : first ? first.dtype : 'float32'];
  const outs = dtypes.map((_, k) => `out${k}`);
  return {
    feeds,
    model: {
      irVersion: 8, opsetImports: [{ domain: '', version: c.opset }], producerName: 'rampart-test', producerVersion: '0',
      functions: [], metadata: {},
      graph: {
        name: c.op, initializers, valueInfo: {},
        inputs: Object.entries(feeds).map(([name, t]) => ({ name, dtype: t.dtype, shape: t.dims })),
        outputs: outs.map((name, k) => ({ name, dtype: dtypes[k], shape: null })),
        nodes: [{ name: 'n', op: c.op, domain: '', inputs: names, outputs: outs, attrs: c.attrs ?? {} }],
      },
    },
  };
}

/** One test per case: the reference kernels and onnxruntime give the same outputs. */
export function matchOrt(cases: Record<string, Case>): void {
  for (const [title, c] of Object.entries(cases)) {
    test(`matches onnxruntime: ${title}`, async () => {
      const { model: m, feeds } = model(c);
      const ours = executeModel(m, feeds, referenceKernels, { opset: c.opset });
      const theirs = await runOrt(encodeModel(m), feeds);
      for (const name of m.graph.outputs.map((o) => o.name)) {
        assert.ok(theirs[name] && ours[name], `output ${name} missing`);
        assert.equal(tensorMismatch(ours[name], theirs[name]), null, `output ${name}`);
      }
    });
  }
}
