// The models the runtime tests run: every committed fixture (test/fixtures) with
// its recorded inputs, and every zoo model (models/*/model.onnx)
// with deterministic random inputs shaped from its graph inputs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Model, Tensor } from '../../runtime/ir.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { readNpy } from '../../src/io/npy.ts';
import { randomFloats } from './helpers.ts';

export interface Case {
  name: string;
  model: Model;
  feeds: Record<string, Tensor>;
}

const ROOT = new URL('../../', import.meta.url).pathname;

export function corpus(): Case[] {
  const out: Case[] = [];
  const fx = join(ROOT, 'test/fixtures');
  const manifest = JSON.parse(readFileSync(join(fx, 'manifest.json'), 'utf8')) as {
    fixtures: Record<string, { model: string; inputs: Record<string, string> }>;
  };
  for (const [name, f] of Object.entries(manifest.fixtures)) {
    const feeds: Record<string, Tensor> = {};
    for (const [input, npy] of Object.entries(f.inputs)) feeds[input] = readNpy(join(fx, npy));
    out.push({ name: `fixture ${name}`, model: loadModel(join(fx, f.model)), feeds });
  }
  const zoo = join(ROOT, 'models');
  if (existsSync(zoo)) {
    for (const dir of readdirSync(zoo).sort()) {
      const file = join(zoo, dir, 'model.onnx');
      if (!existsSync(file)) continue;
      const model = loadModel(file);
      const feeds: Record<string, Tensor> = {};
      model.graph.inputs.forEach((inp, i) => {
        const dims = (inp.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
        const n = dims.reduce((a, b) => a * b, 1);
        feeds[inp.name] = { dtype: 'float32', dims, data: randomFloats(n, 100 + i).map((v) => (v + 1) / 2) };
      });
      out.push({ name: `zoo ${dir}`, model, feeds });
    }
  }
  return out;
}
