// How the accuracy knee of block masks moves with more fine-tuning and with gradual
// pruning (issue 9, item 2): the guard looks only at the mask, so where longer
// training recovers more, a spectral limit leaves speed on the table. On one zoo model
// (default the LSTM), for each block shape and level (each layer at the level):
//   oneshot  prune once, fine-tune 4 epochs (lr 3e-3 ×0.6 per epoch, batch 32, clip 5),
//            test accuracy after every epoch: the frontier's 2-epoch point and what two
//            more epochs add
//   imp      iterative magnitude pruning to the same level in 3 rounds (exponential
//            schedule) with 1 epoch between rounds, then 2 epochs with the masks fixed
// Results merge by key into bench/results/frontier-recovery.json (resumable) and a
// section of docs/EVIDENCE.md between its own markers.
//
//   npx tsx bench/frontier-recovery.ts [--model lstm] [--blocks 1x1,8x1,16x1] [--levels 0.6,0.7,0.8] [--report-only]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Model } from '../runtime/ir.ts';
import { writeFileAtomic } from '../src/io/atomic.ts';
import { loadModel } from '../src/onnx/import.ts';
import { blockLabel, parseBlockShape, type BlockShape } from '../src/prune/blocks.ts';
import { storageMasks } from '../src/prune/pipeline.ts';
import { prune } from '../src/prune/prune.ts';
import { applyMasks } from '../src/prune/targets.ts';
import type { Mask, PruneTarget } from '../src/prune/types.ts';
import { finetune } from '../src/train/index.ts';
import { recipe } from '../src/train/recipes.ts';
import { specToSvg } from '../src/report/chart.ts';
import type { Dataset } from '../src/data/index.ts';
import { load, log, ortAccuracy } from './evidence/common.ts';
import { writeJson } from './common.ts';

const RESULTS = new URL('./results/frontier-recovery.json', import.meta.url).pathname;
const EVIDENCE = new URL('../docs/EVIDENCE.md', import.meta.url).pathname;
const SVG_DIR = new URL('../docs/evidence/', import.meta.url).pathname;
const START = '<!-- recovery:start (bench/frontier-recovery.ts writes this section) -->';
const END = '<!-- recovery:end -->';
const LONG = { lr: 3e-3, batchSize: 32, lrDecay: 0.6, clipNorm: 5, seed: 0, epochs: 4 };
const IMP = { rounds: 3, epochsBetween: 1, epochsAfter: 2 };

interface RecoveryPoint {
  model: string;
  block: string;
  level: number;
  variant: 'oneshot' | 'imp';
  /** Test accuracy (tfjs lowering) after each fine-tuning epoch with the final masks fixed. */
  perEpoch: number[];
  /** onnxruntime-node's accuracy of the final model. */
  accuracy: number;
  sparsity: number;
  /** Epochs of training in all (IMP: between rounds plus after). */
  totalEpochs: number;
  seconds: number;
}

interface RecoveryFile {
  dense: Record<string, number>;
  points: Record<string, RecoveryPoint>;
  schedule: { long: typeof LONG; imp: typeof IMP };
}

const args = parseArgs({
  options: {
    model: { type: 'string', default: 'lstm' },
    blocks: { type: 'string', default: '1x1,8x1,16x1' },
    levels: { type: 'string', default: '0.6,0.7,0.8' },
    'report-only': { type: 'boolean', default: false },
  },
}).values;

async function tune(m: Model, targets: PruneTarget[], masks: Mask[], train: Dataset, test: Dataset, epochs: number, lrDecay: number) {
  const r = await finetune(m, train, {
    epochs, masks: storageMasks(m, targets, masks), lr: LONG.lr, batchSize: LONG.batchSize, lrDecay, clipNorm: LONG.clipNorm, seed: LONG.seed, validation: test,
  });
  return { model: applyMasks(r.model, targets, masks), perEpoch: r.history.map((h) => h.valAccuracy ?? NaN) };
}

async function measure(file: RecoveryFile): Promise<void> {
  const name = args.model!;
  const r = recipe(name);
  const path = join(new URL('../models/', import.meta.url).pathname, name, 'model.onnx');
  if (!r || !existsSync(path)) throw new Error(`no trained zoo model ${name}`);
  const dense = loadModel(path);
  const train = load(r.dataset, 'train', r.train.limit), test = load(r.dataset, 'test', r.test.limit);
  file.dense[name] ??= await ortAccuracy(dense, test);
  for (const b of args.blocks!.split(',')) {
    const block: BlockShape = parseBlockShape(b);
    for (const level of args.levels!.split(',').map(Number)) {
      for (const variant of ['oneshot', 'imp'] as const) {
        const key = `${name}|${blockLabel(block)}|${level}|${variant}`;
        if (file.points[key]) continue;
        const t0 = Date.now();
        let perEpoch: number[], final: Model, sparsity: number, totalEpochs: number;
        if (variant === 'oneshot') {
          const p = await prune(dense, { method: 'magnitude', sparsity: level, scope: 'layer', criterion: null, block });
          const t = await tune(p.model, p.targets, p.masks, train, test, LONG.epochs, LONG.lrDecay);
          ({ perEpoch } = t); final = t.model; sparsity = p.achieved; totalEpochs = LONG.epochs;
        } else {
          const p = await prune(dense, {
            method: 'imp', sparsity: level, scope: 'layer', criterion: null, block, rounds: IMP.rounds, schedule: 'exponential',
            finetune: async (m, targets, masks) => (await tune(m, targets, masks, train, test, IMP.epochsBetween, 1)).model,
          });
          const t = await tune(p.model, p.targets, p.masks, train, test, IMP.epochsAfter, 0.3);
          ({ perEpoch } = t); final = t.model; sparsity = p.achieved; totalEpochs = IMP.rounds * IMP.epochsBetween + IMP.epochsAfter;
        }
        const accuracy = await ortAccuracy(final, test);
        file.points[key] = { model: name, block: blockLabel(block), level, variant, perEpoch, accuracy, sparsity, totalEpochs, seconds: (Date.now() - t0) / 1000 };
        writeJson(RESULTS, file);
        log(`${key}: ${perEpoch.map((a) => a.toFixed(4)).join(' → ')} (onnxruntime ${accuracy.toFixed(4)}, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      }
    }
  }
}

async function report(file: RecoveryFile): Promise<void> {
  const pts = Object.values(file.points).sort((a, b) => a.block.localeCompare(b.block, 'en', { numeric: true }) || a.level - b.level || a.variant.localeCompare(b.variant));
  const L = [START, '## Block masks: how the knee moves with more fine-tuning and with IMP', '',
    'Generated by `npx tsx bench/frontier-recovery.ts` from `bench/results/frontier-recovery.json`. Each layer pruned to the level in whole blocks (magnitude). ' +
    `*oneshot*: prune once, then ${LONG.epochs} epochs with the masks fixed (lr ${LONG.lr} ×${LONG.lrDecay}/epoch, batch ${LONG.batchSize}, clip ${LONG.clipNorm}); the columns give test accuracy after epochs 1…${LONG.epochs}. ` +
    `*imp*: iterative magnitude pruning in ${IMP.rounds} rounds (exponential schedule) with ${IMP.epochsBetween} epoch between rounds, then ${IMP.epochsAfter} epochs with the final masks fixed (lr ×0.3/epoch); ${IMP.rounds * IMP.epochsBetween + IMP.epochsAfter} epochs in all. Final accuracy by onnxruntime-node.`, ''];
  for (const [model, dense] of Object.entries(file.dense)) {
    L.push(`### ${model} (dense ${dense.toFixed(4)})`, '', '| block | level | variant | sparsity | accuracy after each epoch with the final masks | final (onnxruntime) | Δ vs dense |', '|---|---:|---|---:|---|---:|---:|');
    for (const p of pts.filter((x) => x.model === model)) {
      L.push(`| ${p.block} | ${p.level} | ${p.variant} | ${p.sparsity.toFixed(3)} | ${p.perEpoch.map((a) => a.toFixed(4)).join(' → ')} | ${p.accuracy.toFixed(4)} | ${((p.accuracy - dense) * 100).toFixed(2)} |`);
    }
    const values = pts.filter((x) => x.model === model).map((p) => ({ series: `${p.block} ${p.variant}`, level: p.level, acc: p.accuracy }));
    const svg = await specToSvg({
      width: 420, height: 260, title: `${model}: accuracy at each level, one-shot (4 epochs) vs IMP`,
      layer: [
        { data: { values }, mark: { type: 'line', point: true }, encoding: {
          x: { field: 'level', type: 'quantitative', title: 'sparsity (every layer)', scale: { zero: false } },
          y: { field: 'acc', type: 'quantitative', title: 'test accuracy', scale: { zero: false } },
          color: { field: 'series', type: 'nominal', title: null }, strokeDash: { field: 'series', type: 'nominal', legend: null } } },
        { data: { values: [{ y: dense - 0.01 }] }, mark: { type: 'rule', strokeDash: [2, 2], color: '#c33' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
      ],
    });
    writeFileAtomic(join(SVG_DIR, `recovery-${model}.svg`), svg);
    L.push('', `![${model}: recovery](evidence/recovery-${model}.svg)`, '');
  }
  L.push(END);
  const old = existsSync(EVIDENCE) ? readFileSync(EVIDENCE, 'utf8') : '# Evidence\n';
  const a = old.indexOf(START), b = old.indexOf(END);
  const section = L.join('\n');
  writeFileAtomic(EVIDENCE, a >= 0 && b > a ? old.slice(0, a) + section + old.slice(b + END.length) : `${old.trimEnd()}\n\n${section}\n`);
}

const file: RecoveryFile = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : { dense: {}, points: {}, schedule: { long: LONG, imp: IMP } };
if (!args['report-only']) await measure(file);
await report(file);
