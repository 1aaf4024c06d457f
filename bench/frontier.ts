// The block-sparsity frontier (issue 9, item 5): for zoo models, accuracy after
// fine-tuning against batch-1 latency, one curve per block shape, with the guard's
// point marked. Three phases, each resumable (results are merged by key into
// bench/results/frontier.json, so an interrupted run goes on where it stopped):
//
//   accuracy  prune (magnitude, block shape B) at the guard's level (--sparsity auto,
//             delta-r, every layer to its Ramanujan limit) and at fixed levels (each
//             layer at the level, no guard), fine-tune with the masks fixed, measure
//             test accuracy with onnxruntime-node, record per-layer Δr; the fine-tuned
//             model is kept in out/frontier/<model>/<block>-<level>.onnx
//   latency   every kept model, interleaved in one process: rampart wasm and js on the
//             pruned model (the packer re-detects the blocks), onnxruntime-node and
//             onnxruntime-web on the dense model; batch 1, one thread
//   report    bench/results/frontier.md, charts (SVG) and the section of docs/EVIDENCE.md
//
//   npx tsx bench/frontier.ts [--phase accuracy|latency|report|all] [--models lstm,gru,...]
//     [--blocks 1x1,4x1,8x1,16x1,1x4] [--levels guard,0.5,0.7,...] [--epochs 2] [--redo]
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeModel, writeFileAtomic } from '../src/onnx/export.ts';
import { loadModel } from '../src/onnx/import.ts';
import { MAIN_SCHEDULE, tuneMeasured, type FtConfig } from '../src/bench/finetune.ts';
import { pruneAt } from '../src/bench/levels.ts';
import { spectralCriterion } from '../src/prune/criterion.ts';
import { parseBlockShape, blockLabel, type BlockShape } from '../src/prune/blocks.ts';
import type { PruneResult } from '../src/prune/prune.ts';
import { recipe } from '../src/train/recipes.ts';
import { load, log, ortAccuracy, subset } from './evidence/common.ts';
import { conditions, writeJson } from './common.ts';
import { measureFrontierLatency } from './frontier/latency.ts';
import { writeFrontierReport } from './frontier/report.ts';
import type { FrontierFile, FrontierPoint } from './frontier/types.ts';

const RESULTS = new URL('./results/frontier.json', import.meta.url).pathname;
const CACHE = new URL('../out/frontier/', import.meta.url).pathname;
const ZOO = new URL('../models/', import.meta.url).pathname;

/** The main job's fine-tuning schedule (selected on held-out training data, docs/EVIDENCE.md). */
export const FT: FtConfig = MAIN_SCHEDULE;

const args = parseArgs({
  options: {
    phase: { type: 'string', default: 'all' },
    models: { type: 'string', default: 'lstm,gru,cnn,lstm-256,lstm-stacked' },
    blocks: { type: 'string', default: '1x1,4x1,8x1,16x1,1x4' },
    'gate-fused': { type: 'string', default: '' },
    levels: { type: 'string', default: 'guard,0.5,0.6,0.7,0.8,0.9,0.95' },
    epochs: { type: 'string', default: '2' },
    redo: { type: 'boolean', default: false },
  },
}).values;

function readResults(): FrontierFile {
  if (existsSync(RESULTS)) return JSON.parse(readFileSync(RESULTS, 'utf8')) as FrontierFile;
  return { conditions: {}, models: {}, points: {} };
}

/**
 * Writes the results, merged with what is on disk: several runs (other models, other
 * levels) may append to the file at once, each owning the keys it measured.
 */
const written = new Set<string>();

function save(file: FrontierFile, all = false): void {
  const disk = readResults();
  const points = { ...file.points, ...disk.points };
  for (const k of Object.keys(file.points)) if (all || written.has(k) || !(k in disk.points)) points[k] = file.points[k];
  const merged: FrontierFile = {
    conditions: Object.keys(file.conditions).length ? file.conditions : disk.conditions,
    models: all ? { ...disk.models, ...file.models } : { ...file.models, ...disk.models },
    points,
  };
  writeJson(RESULTS, merged);
  Object.assign(file.models, merged.models);
  Object.assign(file.points, merged.points);
}

export function pointKey(model: string, block: string, level: string): string {
  return `${model}|${block}|${level}`;
}

function blocksOf(): BlockShape[] {
  const out = args.blocks!.split(',').filter(Boolean).map((b) => parseBlockShape(b));
  for (const b of args['gate-fused']!.split(',').filter(Boolean)) out.push(parseBlockShape(b, 'gate-fused'));
  return out;
}

async function accuracyPhase(file: FrontierFile): Promise<void> {
  const epochs = Number(args.epochs);
  const criterion = spectralCriterion({ criterion: 'delta-r' });
  for (const name of args.models!.split(',')) {
    const r = recipe(name);
    const path = join(ZOO, name, 'model.onnx');
    if (!r || !existsSync(path)) { log(`${name}: no trained zoo model, skipped`); continue; }
    const dense = loadModel(path);
    const train = load(r.dataset, 'train', r.train.limit);
    const test = load(r.dataset, 'test', r.test.limit);
    if (!file.models[name]) {
      file.models[name] = { name, description: r.description, dataset: r.dataset, trainSamples: train.n, testSamples: test.n, dense: await ortAccuracy(dense, test), path };
      save(file);
    }
    log(`${name}: dense ${file.models[name].dense.toFixed(4)} on ${test.n} test samples`);
    for (const block of blocksOf()) {
      // Gate-fused blocks: LSTM only here (its 4 gates divide 4x1 and 8x1; a GRU's 3 do not).
      if (block.layout === 'gate-fused' && !dense.graph.nodes.some((n) => n.op === 'LSTM')) continue;
      for (const level of args.levels!.split(',')) {
        const key = pointKey(name, blockLabel(block), level);
        if (file.points[key] && !args.redo) continue;
        const t0 = Date.now();
        let pruned: PruneResult;
        try {
          pruned = await pruneAt(dense, block, level);
        } catch (e) {
          log(`${key}: prune failed: ${(e as Error).message}`);
          continue;
        }
        const afterPrune = await ortAccuracy(pruned.model, test);
        const ft = epochs > 0 ? await tuneMeasured(pruned, subset(train, 0, train.n), test, epochs, FT) : null;
        const final = ft ? ft.model : pruned.model;
        const accuracy = ft ? ft.ortFinal! : afterPrune;
        const layers = pruned.targets.map((t, i) => {
          const v = criterion(t, pruned.masks[i]);
          return { name: t.name, graph: t.graph, size: pruned.report[i].size, sparsity: pruned.report[i].sparsity, deltaR: v.value, ramanujan: v.pass };
        });
        const modelFile = join(CACHE, name, `${blockLabel(block).replace(' ', '-')}-${level}.onnx`);
        mkdirSync(join(CACHE, name), { recursive: true });
        writeFileAtomic(modelFile, encodeModel(final));
        const point: FrontierPoint = {
          model: name, block: blockLabel(block), level, sparsity: pruned.achieved, afterPrune,
          afterEpochs: ft ? ft.perEpoch : [], accuracy, epochs, finetune: FT, layers,
          allRamanujan: layers.every((l) => l.ramanujan), modelFile, seconds: (Date.now() - t0) / 1000,
          date: new Date().toISOString(), latency: file.points[key]?.latency ?? null,
        };
        file.points[key] = point;
        written.add(key);
        save(file);
        log(`${key}: sparsity ${point.sparsity.toFixed(3)}, after prune ${afterPrune.toFixed(4)}, after ${epochs} epochs ${accuracy.toFixed(4)}, all Ramanujan ${point.allRamanujan} (${point.seconds.toFixed(0)} s)`);
      }
    }
  }
}

async function main(): Promise<void> {
  const file = readResults();
  const phase = args.phase!;
  if (phase === 'accuracy' || phase === 'all') await accuracyPhase(file);
  if (phase === 'latency' || phase === 'all') {
    file.conditions = { ...conditions() };
    await measureFrontierLatency(file, args.models!.split(','), (f) => save(f, true));
    save(file, true);
  }
  if (phase === 'report' || phase === 'latency' || phase === 'all') await writeFrontierReport(file);
}

await main();
