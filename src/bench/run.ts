// `rampart bench`: for every level × block shape, prune, fine-tune with the masks
// fixed, and measure — accuracy on the test split (onnxruntime-node the judge), with
// noise if asked; file sizes; Δr and IMDB of every layer graph; batch-1 (and batch N)
// latency on every runtime, interleaved with the dense model in the same rounds
// (docs/design/bench.md). Each finished point is written at once to
// <out>/points/<id>.json with the fingerprint of everything that shaped it, so an
// interrupted bench resumes where it stopped; every write goes through the atomic
// writer, so Ctrl-C leaves whole files or none.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Model } from '../../runtime/ir.ts';
import {
  checkDatasetFits, checkScoringSamples, datasetFolder, FOLDER_FILES, isBuiltinDataset, loadDataset, type Dataset, type DatasetName,
} from '../data/index.ts';
import { evaluateAccuracy } from '../eval/accuracy.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { loadModel } from '../onnx/import.ts';
import { blockLabel, type BlockShape } from '../prune/blocks.ts';
import { silent, type Progress } from '../prune/progress.ts';
import { METHODS, type MethodName } from '../prune/scorers/index.ts';
import { pruneTargets } from '../prune/targets.ts';
import { conditions } from './conditions.ts';
import { tuneMeasured, type FtConfig } from './finetune.ts';
import { timeAgainstDense, type BenchRuntime } from './latency.ts';
import { pruneAt } from './levels.ts';
import { layerGraphs, noiseAccuracy, sizesOf } from './measure.ts';
import { writeBenchFiles } from './report.ts';
import { BENCH_SCHEMA, type BenchFile, type BenchPoint } from './types.ts';

export interface BenchOptions {
  model: string;
  data: DatasetName;
  out: string;
  levels: string[];
  blocks: BlockShape[];
  method?: MethodName;
  epochs: number;
  ft: FtConfig;
  runtimes: BenchRuntime[];
  /** Latency batch sizes (default [1]). */
  batches?: number[];
  rounds?: number;
  warmup?: number;
  /** Standard deviations of the Gaussian input noise to measure accuracy under. */
  noise?: number[];
  /** First N test samples / training samples. */
  limit?: number;
  trainLimit?: number;
  /** Recompute points even when a matching one is on disk. */
  redo?: boolean;
  /** Skip writing bench.html (it takes a few seconds of chart rendering). */
  html?: boolean;
  progress?: Progress;
}

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** What the data is: the built-in name, or the folder and its files' sizes and times. */
function dataIdentity(data: DatasetName): unknown {
  if (isBuiltinDataset(data)) return data;
  const dir = datasetFolder(data);
  return { dir, files: [...FOLDER_FILES, 'meta.json'].map((f) => (existsSync(join(dir, f)) ? `${f}:${statSync(join(dir, f)).size}:${statSync(join(dir, f)).mtimeMs}` : null)) };
}

export function pointId(level: string, block: BlockShape | null): string {
  return level === 'dense' || block === null ? 'dense' : `${blockLabel(block).replace(/ /g, '-')}--${level}`;
}

function zeroFraction(model: Model): number {
  let zeros = 0, total = 0;
  for (const t of pruneTargets(model)) {
    total += t.weights.length;
    for (const w of t.weights) if (w === 0) zeros++;
  }
  return total ? zeros / total : 0;
}

async function accuracy(model: Model, test: Dataset, label: string, progress: Progress): Promise<number> {
  progress.start(label, test.n);
  let last = 0;
  try {
    return (await evaluateAccuracy(model, test, { runtime: 'ort', onProgress: (d) => { progress.tick(d - last); last = d; } })).accuracy;
  } finally {
    progress.stop();
  }
}

export async function runBench(o: BenchOptions): Promise<BenchFile> {
  const progress = o.progress ?? silent;
  const modelPath = resolve(o.model);
  const model = loadModel(modelPath);
  const method = o.method ?? 'magnitude';
  const test = loadDataset(o.data, 'test', { limit: o.limit });
  checkDatasetFits(model, test, modelPath);
  const needsTrain = o.epochs > 0 || METHODS[method].scorer({}).needsData || METHODS[method].finetunesBetweenRounds;
  const train = needsTrain ? loadDataset(o.data, 'train', { limit: o.trainLimit }) : null;
  if (train) checkDatasetFits(model, train, modelPath);
  if (METHODS[method].scorer({}).needsData) checkScoringSamples(test, `--method ${method}`, String(o.data));
  const out = resolve(o.out);
  for (const d of [out, join(out, 'points'), join(out, 'models')]) mkdirSync(d, { recursive: true });

  const batches = o.batches ?? [1];
  const fingerprint = sha256(JSON.stringify({
    schema: BENCH_SCHEMA, model: sha256(readFileSync(modelPath)), data: dataIdentity(o.data), limit: o.limit ?? null, trainLimit: o.trainLimit ?? null,
    method, epochs: o.epochs, ft: o.ft, runtimes: o.runtimes, batches, rounds: o.rounds ?? 200, warmup: o.warmup ?? 10, noise: o.noise ?? [],
  }));
  const plan: { level: string; block: BlockShape | null }[] = [];
  if (o.levels.includes('dense')) plan.push({ level: 'dense', block: null });
  for (const block of o.blocks) for (const level of o.levels) if (level !== 'dense') plan.push({ level, block });

  const notes: string[] = [];
  const file: BenchFile = {
    schema: BENCH_SCHEMA, complete: false,
    config: {
      model: modelPath, data: String(o.data), levels: o.levels, blocks: o.blocks.map(blockLabel), method, epochs: o.epochs, finetune: o.ft,
      runtimes: o.runtimes, batches, rounds: o.rounds ?? 200, warmup: o.warmup ?? 10, noise: o.noise ?? [], limit: o.limit ?? null, trainLimit: o.trainLimit ?? null, fingerprint,
    },
    conditions: { ...conditions() },
    model: { path: modelPath, name: modelName(modelPath), input: model.graph.inputs.map((i) => `${i.name} [${(i.shape ?? []).join(',')}]`).join(', '), dataset: String(o.data), testSamples: test.n, trainSamples: train?.n ?? 0 },
    points: [], records: [], notes,
  };
  const save = async (html: boolean) => writeBenchFiles(out, file, html && o.html !== false);

  progress.start('bench', plan.length);
  try {
    for (const step of plan) {
      const id = pointId(step.level, step.block);
      const pointFile = join(out, 'points', `${id}.json`);
      const old = !o.redo && existsSync(pointFile) ? (JSON.parse(readFileSync(pointFile, 'utf8')) as BenchPoint) : null;
      let point: BenchPoint;
      if (old && old.fingerprint === fingerprint) {
        point = old;
        progress.log?.(`${id}: kept from ${pointFile} (${old.date})`);
      } else {
        point = await measurePoint({ o, model, modelPath, test, train, step, id, out, fingerprint, batches, progress, method });
        writeFileAtomic(pointFile, JSON.stringify(point, null, 1) + '\n');
      }
      file.points.push(point);
      progress.log?.(describe(point, o.runtimes));
      await save(false);
      progress.tick(1, id);
    }
  } finally {
    progress.stop();
  }
  file.complete = true;
  await save(true);
  return file;
}

function modelName(path: string): string {
  const b = basename(path, '.onnx');
  return b === 'model' ? basename(resolve(path, '..')) : b;
}

function describe(p: BenchPoint, runtimes: BenchRuntime[]): string {
  const b1 = p.latency['1'] ?? Object.values(p.latency)[0] ?? {};
  const ms = runtimes.map((r) => `${r} ${b1[r]?.medianMs.toFixed(3) ?? '—'}`).join(', ');
  return `${p.id}: sparsity ${p.sparsity.toFixed(3)}, accuracy ${p.accuracy.toFixed(4)} (after pruning ${p.afterPrune.toFixed(4)}), all Ramanujan ${p.allRamanujan ? 'yes' : 'no'}, ms ${ms}`;
}

interface PointContext {
  o: BenchOptions;
  model: Model;
  modelPath: string;
  test: Dataset;
  train: Dataset | null;
  step: { level: string; block: BlockShape | null };
  id: string;
  out: string;
  fingerprint: string;
  batches: number[];
  progress: Progress;
  method: MethodName;
}

async function measurePoint(c: PointContext): Promise<BenchPoint> {
  const { o, model, test, progress, id } = c;
  const t0 = Date.now();
  const notes: string[] = [];
  let final: Model, afterPrune: number, acc: number, sparsity: number;
  let history: BenchPoint['history'] = [];
  if (c.step.level === 'dense') {
    final = model;
    acc = afterPrune = await accuracy(model, test, `${id}: accuracy`, progress);
    sparsity = zeroFraction(model);
  } else {
    const pruned = await pruneAt(model, c.step.block!, c.step.level, { method: c.method, data: c.o.data, trainLimit: o.trainLimit, progress });
    notes.push(...pruned.notes);
    sparsity = pruned.achieved;
    afterPrune = await accuracy(pruned.model, test, `${id}: accuracy after pruning`, progress);
    if (o.epochs > 0) {
      const steps = o.epochs * Math.ceil(c.train!.n / o.ft.batchSize);
      progress.start(`${id}: fine-tune`, steps);
      let ft;
      try {
        ft = await tuneMeasured(pruned, c.train!, test, o.epochs, o.ft, {
          perEpoch: false, onProgress: (p) => progress.tick(1, `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(3)}`),
        });
      } finally {
        progress.stop();
      }
      final = ft.model;
      acc = ft.ortFinal!;
      history = ft.history.map((h) => ({ epoch: h.epoch, loss: h.loss, trainAccuracy: h.trainAccuracy, seconds: h.seconds }));
    } else {
      final = pruned.model;
      acc = afterPrune;
    }
  }
  const noise = o.noise?.length ? await noiseAccuracy(final, test, o.noise) : {};
  const spectral = layerGraphs(final);
  const { sizes, dense, csr } = sizesOf(final, c.modelPath, { wasmModule: o.runtimes.includes('wasm-module') });
  const files = { onnx: join(c.out, 'models', `${id}.onnx`), csr: join(c.out, 'models', `${id}.csr.onnx`) };
  writeFileAtomic(files.onnx, dense);
  writeFileAtomic(files.csr, csr);
  const { latency, denseLatency, notes: timing } = await timeAgainstDense({
    model, denseFile: c.modelPath, pointFile: c.step.level === 'dense' ? null : files.onnx, runtimes: o.runtimes, batches: c.batches,
    rounds: o.rounds, warmup: o.warmup, progress, label: id,
  });
  notes.push(...timing);
  return {
    id, level: c.step.level, block: c.step.block ? blockLabel(c.step.block) : 'dense', sparsity, afterPrune, accuracy: acc, noise,
    epochs: c.step.level === 'dense' ? 0 : o.epochs, history, ...spectral, sizes, latency, denseLatency, files, notes,
    loadAverage: loadavg()[0], date: new Date().toISOString(), seconds: (Date.now() - t0) / 1000,
    fingerprint: c.fingerprint,
  };
}
