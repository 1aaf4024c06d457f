// ONNX node conformance of the reference kernels, and the manifest rule: every case
// that uses only supported ops is allowed or excluded with a reason.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import onnxProto from 'onnx-proto';
import { referenceKernels } from '../../runtime/ops/index.ts';
import { isSupported } from '../../runtime/ops/groups.ts';
import { ALLOW, DATA_DIR, EXCLUDE } from './manifest.ts';
import { runConformance } from './harness.ts';

const { onnx } = onnxProto;

runConformance(referenceKernels, 'reference');

test('manifest: every supported-op case is allowed or excluded with a reason, and nothing else is listed', () => {
  const allowed = new Map<string, string>();
  for (const [op, cases] of Object.entries(ALLOW)) {
    assert.ok(isSupported(op), `ALLOW lists op ${op}, which runtime/ops/groups.ts does not support`);
    for (const c of cases) {
      assert.ok(!allowed.has(c), `${c} is allowed twice (under ${allowed.get(c)} and ${op})`);
      assert.ok(!(c in EXCLUDE), `${c} is both allowed and excluded`);
      allowed.set(c, op);
    }
  }
  for (const [c, why] of Object.entries(EXCLUDE)) assert.ok(why.trim().length > 10, `${c} is excluded without a real reason`);
  const unlisted: string[] = [];
  for (const name of readdirSync(DATA_DIR).sort()) {
    const model = onnx.ModelProto.decode(readFileSync(join(DATA_DIR, name, 'model.onnx')));
    const ops = new Set((model.graph?.node ?? []).map((n) => n.opType ?? ''));
    const inScope = [...ops].every((op) => isSupported(op));
    const listed = allowed.has(name) || name in EXCLUDE;
    if (inScope && !listed) unlisted.push(`${name} [${[...ops].join(',')}]`);
    if (allowed.has(name)) {
      assert.ok(ops.has(allowed.get(name)!), `${name} is listed under ${allowed.get(name)} but has no such node`);
      assert.ok(inScope, `${name} is allowed but uses unsupported ops [${[...ops].join(',')}]`);
    }
  }
  assert.deepEqual(unlisted, [], 'cases using only supported ops must be in ALLOW or EXCLUDE');
  for (const c of [...allowed.keys(), ...Object.keys(EXCLUDE)]) {
    assert.ok(existsSync(join(DATA_DIR, c, 'model.onnx')), `manifest names ${c}, which is not in ${DATA_DIR}`);
  }
});
