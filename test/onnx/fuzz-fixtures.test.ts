// The fuzz bench's findings (test/fixtures/fuzz/, manifest.json): each file was an
// internal error, a crash or a hang before its fix. Now the compiler's loader, a runtime
// session on every backend and the CLI command that showed it must each end either
// normally or with the RampartError the manifest names: one line, exit 1, never exit 70.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { InferenceSession } from '../../runtime/index.ts';
import { allocData, sizeOf } from '../../runtime/tensor.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { assertCleanError, cli, FIXTURES, tmp } from '../cli/helpers.ts';

interface Entry { before: string; command?: string[]; load: string; runtime?: string; cli?: string; stdout?: string }
const DIR = join(FIXTURES, 'fuzz');
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { fixtures: Record<string, Entry> };
const out = tmp('rampart-fuzz-fixtures-');
test.after(() => rmSync(out, { recursive: true, force: true }));

const refusedWith = (pattern: string) => (e: unknown) => {
  assert.ok(e instanceof RampartError, `not a RampartError: ${(e as Error)?.stack ?? String(e)}`);
  assert.match(e.message, new RegExp(pattern));
  return true;
};

/** Zeros at the declared input shapes (symbols bound to 1). */
function zeros(inputs: { name: string; dtype: Tensor['dtype']; shape: (number | string | null)[] | null }[]): Record<string, Tensor> {
  return Object.fromEntries(inputs.map((i) => {
    const dims = (i.shape ?? [1]).map((d) => (typeof d === 'number' ? d : 1));
    return [i.name, { dtype: i.dtype, dims, data: allocData(i.dtype, sizeOf(dims)) }];
  }));
}

for (const [file, e] of Object.entries(manifest.fixtures)) {
  const model = join(DIR, file);
  test(`${file}: was ${e.before.split(' (')[0]}`, async () => {
    if (e.load === 'ok') loadModel(model);
    else assert.throws(() => loadModel(model), refusedWith(e.load));
    if (e.runtime) {
      for (const backend of ['reference', 'js', 'wasm'] as const) {
        await assert.rejects(async () => {
          const s = await InferenceSession.create(model, { backend });
          await s.run(zeros(s.model.graph.inputs));
        }, refusedWith(e.runtime), backend);
      }
    }
    if (e.command) {
      const r = await cli(e.command.map((a) => a.replace('{model}', model).replace('{out}', out)));
      if (e.cli === 'ok') {
        assert.equal(r.code, 0, r.stderr);
        if (e.stdout) assert.match(r.stdout, new RegExp(e.stdout));
      } else {
        assert.equal(r.code, 1, r.stderr);
        assertCleanError(r, new RegExp(e.cli!));
      }
    }
  });
}

test('every fixture file is in the manifest', () => {
  assert.deepEqual(readdirSync(DIR).filter((f) => f.endsWith('.onnx')).sort(), Object.keys(manifest.fixtures).sort());
});
