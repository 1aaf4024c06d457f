// Runs ONNX's own node tests (model.onnx + test_data_set_*/{input,output}_*.pb) on any
// kernel table, so the reference, js and wasm backends all face the same suite:
//   runConformance(myTable, 'wasm')   // inside a *.test.ts file
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '../../runtime/ir.ts';
import { onnxOpset } from '../../runtime/ir.ts';
import { executeModel } from '../../runtime/executor.ts';
import { decodeModel } from '../../runtime/onnx/decode.ts';
import type { KernelTable } from '../../runtime/ops/types.ts';
import { readTestDataSet } from '../../src/onnx/tensorpb.ts';
import { ALLOW, DATA_DIR } from './manifest.ts';

/** ONNX's backend test tolerances (onnx/backend/test/runner): rtol 1e-3; atol as the brief sets it. */
export const RTOL = 1e-3;
export const ATOL = 1e-5;

/** Why `actual` differs from `expected`, or null when it matches (floats within tolerance, others exactly). */
export function tensorMismatch(actual: Tensor, expected: Tensor): string | null {
  if (actual.dtype !== expected.dtype) return `dtype ${actual.dtype}, expected ${expected.dtype}`;
  if (actual.dims.length !== expected.dims.length || actual.dims.some((d, i) => d !== expected.dims[i])) {
    return `dims [${actual.dims.join(',')}], expected [${expected.dims.join(',')}]`;
  }
  const a = actual.data as ArrayLike<number | string>;
  const e = expected.data as ArrayLike<number | string>;
  const float = expected.dtype === 'float32' || expected.dtype === 'float64' || expected.dtype === 'float16';
  let bad = 0;
  let first = '';
  for (let i = 0; i < e.length; i++) {
    const x = a[i];
    const y = e[i];
    let ok: boolean;
    if (float && typeof x === 'number' && typeof y === 'number') {
      ok = (Number.isNaN(x) && Number.isNaN(y)) || x === y || Math.abs(x - y) <= ATOL + RTOL * Math.abs(y);
    } else {
      ok = x === y;
    }
    if (!ok && bad++ === 0) first = `element ${i}: got ${x}, expected ${y}`;
  }
  return bad === 0 ? null : `${bad} of ${e.length} elements differ; first ${first}`;
}

/** The test_data_set_* folders of a case. */
function dataSets(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith('test_data_set_')).sort().map((f) => join(dir, f));
}

/** Runs one case (every data set) with `table`; throws an AssertionError naming what differs. */
export function checkCase(name: string, table: KernelTable): void {
  const dir = join(DATA_DIR, name);
  const file = join(dir, 'model.onnx');
  // Some cases feed NaN / Inf on purpose: the importer's finite-weights guard must not refuse them.
  const model = decodeModel(readFileSync(file), { file, allowNonFinite: true });
  const sets = dataSets(dir);
  assert.ok(sets.length > 0, `${name}: no test_data_set_* folder`);
  for (const set of sets) {
    const { inputs, outputs } = readTestDataSet(set, model);
    const got = executeModel(model, inputs, table, { opset: onnxOpset(model), file });
    for (const [out, expected] of Object.entries(outputs)) {
      const actual = got[out];
      assert.ok(actual !== undefined, `${name}: output '${out}' not produced`);
      const why = tensorMismatch(actual, expected);
      assert.equal(why, null, `${name} (${set.slice(dir.length + 1)}), output '${out}': ${why}`);
    }
  }
}

export interface ConformanceOptions {
  /** Only these ops' cases (a backend that overlays part of the table may still run all). */
  ops?: readonly string[];
}

/** Registers one node:test per allowed case, grouped by op, under `label`. */
export function runConformance(table: KernelTable, label: string, opts: ConformanceOptions = {}): void {
  describe(`ONNX conformance: ${label}`, () => {
    for (const [op, cases] of Object.entries(ALLOW)) {
      if (opts.ops && !opts.ops.includes(op)) continue;
      describe(op, () => {
        for (const name of cases) test(name, () => checkCase(name, table));
      });
    }
  });
}
