// The evidence sweep: prune one kind of weight at a time (input-to-hidden W, then
// hidden-to-hidden R; the Gemm/Conv weights of a non-recurrent model) from 50% to
// 98% sparsity, with and without the spectral guard, and record at each level the
// accuracy after pruning (and after fine-tuning, if asked) next to the guard's
// criterion on each pruned weight — so the level where Δr turns negative can be
// read against the level where accuracy falls.
//
//   npx tsx bench/sweep.ts --model models/lstm/model.onnx --data mnist [--finetune-epochs N] [--limit N]
//     [--method magnitude] [--guard delta-r] [--levels 0.5,0.6,...] [--train-limit N] [--out DIR]
//
// Writes DIR/sweep.json, DIR/sweep.md and DIR/sweep-{accuracy,criterion}.svg
// (DIR defaults to bench/results/sweep-<model folder>).
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import os from 'node:os';
import type { Model } from '../runtime/ir.ts';
import { loadDataset, type DatasetName } from '../src/data/index.ts';
import { evaluateAccuracy } from '../src/eval/accuracy.ts';
import { loadModel } from '../src/onnx/import.ts';
import { writeFileAtomic } from '../src/onnx/export.ts';
import { spectralCriterion } from '../src/prune/criterion.ts';
import { fmt } from '../src/prune/guard.ts';
import { storageMasks } from '../src/prune/pipeline.ts';
import { prune } from '../src/prune/prune.ts';
import { stderrProgress } from '../src/prune/progress.ts';
import { spectralSummary } from '../src/prune/report.ts';
import type { MethodName } from '../src/prune/scorers/index.ts';
import { pruneTargets } from '../src/prune/targets.ts';
import type { GuardCriterionName, WeightGraph } from '../src/prune/types.ts';
import { lineChartSvg, type Series } from '../src/report/chart.ts';
import { finetune } from '../src/train/index.ts';

interface Run {
  /** Sparsity actually reached by each weight of the part. */
  sparsity: Record<string, number>;
  /** The criterion on each weight of the part after pruning (min over directions). */
  criterion: Record<string, number | null>;
  accuracy: number;
  accuracyTuned: number | null;
}

export async function run(argv: string[]): Promise<void> {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      data: { type: 'string', default: 'mnist' },
      'finetune-epochs': { type: 'string', default: '0' },
      limit: { type: 'string' },
      'train-limit': { type: 'string' },
      method: { type: 'string', default: 'magnitude' },
      guard: { type: 'string', default: 'delta-r' },
      levels: { type: 'string', default: '0.5,0.55,0.6,0.65,0.7,0.75,0.8,0.85,0.9,0.95,0.98' },
      out: { type: 'string' },
    },
  });
  if (!args.model) {
    process.stderr.write('usage: npx tsx bench/sweep.ts --model models/lstm/model.onnx --data mnist [--finetune-epochs N] [--limit N]\n');
    process.exitCode = 2;
    return;
  }
  const modelPath = args.model;
  const data = args.data as DatasetName;
  const epochs = Number(args['finetune-epochs']);
  const limit = args.limit === undefined ? undefined : Number(args.limit);
  const trainLimit = args['train-limit'] === undefined ? undefined : Number(args['train-limit']);
  const method = args.method as MethodName;
  const guardName = args.guard as GuardCriterionName;
  const levels = args.levels!.split(',').map(Number);
  const out = args.out ?? join('bench', 'results', `sweep-${basename(dirname(modelPath)) || basename(modelPath, '.onnx')}`);

  const progress = stderrProgress();
  const model = loadModel(modelPath);
  const test = loadDataset(data, 'test', { limit });
  const train = epochs > 0 ? loadDataset(data, 'train', { limit: trainLimit }) : undefined;
  const criterion = spectralCriterion({ criterion: guardName });
  const targets = pruneTargets(model);
  const kinds = [...new Set(targets.map((t) => t.graph))] as WeightGraph[];
  // Recurrent models: W and R separately; otherwise every Gemm/MatMul/Conv weight together.
  const parts: WeightGraph[] = kinds.includes('W') || kinds.includes('R') ? kinds.filter((k) => k !== 'weight') : ['weight'];

  async function accuracy(m: Model): Promise<number> {
    return (await evaluateAccuracy(m, test, { runtime: 'ort' })).accuracy;
  }


  async function measure(part: WeightGraph, level: number, guarded: boolean): Promise<Run> {
    const rates: Partial<Record<WeightGraph, number>> = {};
    for (const k of kinds) if (k !== part) rates[k] = 0;
    const r = await prune(model, { method, sparsity: level, scope: 'layer', criterion: guarded ? criterion : null, rates, seed: 0 });
    const sparsity: Record<string, number> = {};
    const crit: Record<string, number | null> = {};
    r.report.forEach((row, i) => {
      if (row.graph !== part) return;
      sparsity[row.name] = row.sparsity;
      const s = spectralSummary(r.targets[i]);
      crit[row.name] = guardName === 'delta-r' ? s.deltaR : guardName === 'delta-s' ? s.deltaS : s.imdb;
    });
    const acc = await accuracy(r.model);
    let tuned: number | null = null;
    if (train) {
      const f = await finetune(r.model, train, { epochs, masks: storageMasks(r.model, r.targets, r.masks) });
      tuned = await accuracy(f.model);
    }
    return { sparsity, criterion: crit, accuracy: acc, accuracyTuned: tuned };
  }

  const t0 = Date.now();
  const dense = await accuracy(model);
  const result: Record<string, unknown> = {
    model: modelPath, data, testSamples: test.n, method, guard: guardName, finetuneEpochs: epochs, levels, denseAccuracy: dense,
    conditions: { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, date: new Date().toISOString() },
    parts: {} as Record<string, unknown>,
  };
  const accSeries: Series[] = [];
  const critSeries: Series[] = [];
  const md: string[] = [`# Sparsity sweep: ${modelPath}`, '', `${data}, ${test.n} test samples; dense accuracy ${dense.toFixed(4)}; method ${method}, guard ${guardName}${epochs ? `, ${epochs} fine-tuning epoch(s) per level` : ''}`, ''];

  for (const part of parts) {
    const names = targets.filter((t) => t.graph === part).map((t) => t.name);
    // Where the criterion turns negative: the guard's own search for each weight of the part.
    const limits = await prune(model, { method, sparsity: 'auto', criterion, rates: Object.fromEntries(kinds.filter((k) => k !== part).map((k) => [k, 0])), seed: 0 });
    const limit: Record<string, number | null> = {};
    limits.report.forEach((row) => { if (row.graph === part) limit[row.name] = row.limit; });
    const rows: unknown[] = [];
    progress.start(`sweep ${part}`, levels.length);
    md.push(`## ${part === 'weight' ? 'all weights' : `${part} only (the others dense)`}`, '', `guard limits: ${names.map((n) => `${n} ${limit[n] === null ? '—' : fmt(limit[n]!)}`).join(', ')}`, '');
    md.push(`| level | accuracy unguarded | ${guardName} (min) unguarded | sparsity guarded | accuracy guarded |${epochs ? ' tuned unguarded | tuned guarded |' : ''}`);
    md.push(`|---:|---:|---:|---:|---:|${epochs ? '---:|---:|' : ''}`);
    for (const level of levels) {
      const u = await measure(part, level, false);
      const g = await measure(part, level, true);
      rows.push({ level, unguarded: u, guarded: g });
      const minCrit = (r: Run) => {
        const v = Object.values(r.criterion);
        return v.some((x) => x === null) ? null : Math.min(...(v as number[]));
      };
      const mean = (r: Run) => Object.values(r.sparsity).reduce((a, b) => a + b, 0) / Math.max(1, Object.keys(r.sparsity).length);
      const c = minCrit(u);
      md.push(`| ${level} | ${u.accuracy.toFixed(4)} | ${c === null ? 'undefined' : c.toFixed(3)} | ${mean(g).toFixed(4)} | ${g.accuracy.toFixed(4)} |${epochs ? ` ${u.accuracyTuned!.toFixed(4)} | ${g.accuracyTuned!.toFixed(4)} |` : ''}`);
      progress.tick(1, `${level}: ${u.accuracy.toFixed(3)} / ${g.accuracy.toFixed(3)}`);
    }
    progress.stop();
    md.push('');
    (result.parts as Record<string, unknown>)[part] = { weights: names, limits: limit, rows };
    const rs = rows as { level: number; unguarded: Run; guarded: Run }[];
    accSeries.push({ name: `${part} unguarded`, points: rs.map((r) => ({ x: r.level, y: r.unguarded.accuracy })) });
    accSeries.push({ name: `${part} guarded`, points: rs.map((r) => ({ x: r.level, y: r.guarded.accuracy })) });
    if (epochs) accSeries.push({ name: `${part} unguarded + fine-tune`, points: rs.map((r) => ({ x: r.level, y: r.unguarded.accuracyTuned })) });
    for (const n of names) critSeries.push({ name: `${n} (${part})`, points: rs.map((r) => ({ x: r.level, y: r.unguarded.criterion[n] })) });
  }
  result.seconds = (Date.now() - t0) / 1000;

  mkdirSync(out, { recursive: true });
  const enc = (s: string) => new TextEncoder().encode(s);
  writeFileAtomic(join(out, 'sweep.json'), enc(JSON.stringify(result, null, 2) + '\n'));
  writeFileAtomic(join(out, 'sweep.md'), enc(md.join('\n') + `\n![accuracy](sweep-accuracy.svg)\n\n![criterion](sweep-criterion.svg)\n`));
  writeFileAtomic(join(out, 'sweep-accuracy.svg'), enc(await lineChartSvg(accSeries, { title: `Accuracy after pruning (${data}, ${test.n} samples)`, xTitle: 'requested sparsity', yTitle: 'accuracy' })));
  writeFileAtomic(join(out, 'sweep-criterion.svg'), enc(await lineChartSvg(critSeries, { title: `${guardName} of each weight, pruned unguarded (≥ 0: Ramanujan)`, xTitle: 'sparsity', yTitle: guardName, rule: 0 })));
  process.stdout.write(md.join('\n') + `\nwrote ${out}/sweep.{json,md} and charts in ${(result.seconds as number).toFixed(0)} s\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run(process.argv.slice(2));
