// The evidence bench (issue 4, item 6): for each zoo model, dense accuracy; the
// guard-chosen sparsity per weight and overall (magnitude scores, Δr guard,
// --sparsity auto); accuracy after pruning and after 1 and 2 epochs of fine-tuning;
// the same at the same overall sparsity without the guard (global magnitude); and a
// sweep 0.5…0.98 of one part at a time (W then R; conv then linear) with and without
// the guard, against the level where Δr turns negative. For the LSTM it also selects
// the fine-tuning hyperparameters on a held-out part of the training split
// (bench/evidence/tune.ts) and compares guard variants.
//
//   npx tsx bench/evidence.ts [--models lstm,gru,rnn,cnn] [--quick] [--skip S,..] [--only S,..]
//     [--epochs 2] [--train-limit N] [--sweep-train-limit N] [--no-sweep-finetune]
//
// Sections: main (guarded/unguarded table), tune (LSTM selection), seeds (the selected
// schedule with other batch orders), transfer (that schedule on the other models), variants (guard options), snip (--min-coverage),
// sweep. Results are merged by model into bench/results/evidence.json (so models can be run
// one at a time), and docs/EVIDENCE.md + docs/evidence/*.svg are rebuilt from it.
// --quick: small data, 3 sweep levels, no selection; writes under bench/results/evidence-quick/.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { execSync } from 'node:child_process';
import os from 'node:os';
import { writeFileAtomic } from '../src/io/atomic.ts';
import { loadModel } from '../src/onnx/import.ts';
import { spectralCriterion } from '../src/prune/criterion.ts';
import { pruneTargets } from '../src/prune/targets.ts';
import type { DatasetName } from '../src/data/index.ts';
import {
  countsKey, DEFAULT_FT, ftLabel, layerTable, load, log, ortAccuracy, pruneGuarded, pruneUnguarded, subset, tuneMeasured,
  type FtConfig, type GuardOptions,
} from './evidence/common.ts';
import { snipCoverage } from './evidence/snip.ts';
import { partsOf, SWEEP_LEVELS, sweepPart } from './evidence/sweep.ts';
import { selectFinetune } from './evidence/tune.ts';
import { writeEvidenceDocs } from './evidence/report.ts';
import type { EvidenceFile, ModelEvidence, PruneOutcome } from './evidence/types.ts';

const DATASET: Record<string, DatasetName> = { lstm: 'mnist', gru: 'mnist', rnn: 'mnist', cnn: 'fashion-mnist' };

function commit(): string {
  try {
    const head = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', { encoding: 'utf8' }).trim() !== '';
    return head + (dirty ? ' (with uncommitted changes)' : '');
  } catch {
    return 'unknown';
  }
}

export async function run(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      models: { type: 'string', default: 'lstm,gru,rnn,cnn' },
      quick: { type: 'boolean', default: false },
      skip: { type: 'string', default: '' },
      only: { type: 'string' },
      epochs: { type: 'string', default: '2' },
      'train-limit': { type: 'string' },
      'cnn-train-limit': { type: 'string', default: '12000' },
      'sweep-train-limit': { type: 'string', default: '2000' },
      'no-sweep-finetune': { type: 'boolean', default: false },
      'docs-only': { type: 'boolean', default: false },
    },
  });
  const quick = a.quick!;
  // Sections: main, tune, seeds, variants, snip, sweep. Those not run keep their earlier results.
  const skip = new Set(a.skip!.split(',').filter(Boolean));
  const only = a.only === undefined ? null : new Set(a.only.split(',').filter(Boolean));
  if (quick) for (const s of ['tune', 'seeds', 'variants', 'snip']) skip.add(s);
  const outJson = quick ? 'bench/results/evidence-quick/evidence.json' : 'bench/results/evidence.json';
  const docsDir = quick ? 'bench/results/evidence-quick' : 'docs';
  const file: EvidenceFile = existsSync(outJson) ? JSON.parse(readFileSync(outJson, 'utf8')) : { conditions: {}, models: {} };
  const save = async () => {
    mkdirSync(join(outJson, '..'), { recursive: true });
    writeFileAtomic(outJson, new TextEncoder().encode(JSON.stringify(file, null, 2) + '\n'));
    await writeEvidenceDocs(file, docsDir, quick ? '' : 'evidence/');
    log(`wrote ${outJson} and ${docsDir}/EVIDENCE.md`);
  };
  if (a['docs-only']) return save();

  const epochs = Number(a.epochs);
  const levels = quick ? [0.5, 0.8, 0.95] : SWEEP_LEVELS;
  file.conditions = {
    node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model,
    machine: '2 cores shared with other engineers\' jobs (times are wall-clock under that contention)',
    method: 'magnitude', guard: 'delta-r (stacked graph per direction), --sparsity auto, scope global',
    unguarded: 'magnitude, global threshold, at the guarded run\'s overall sparsity', epochs, finetuneDefault: ftLabel(DEFAULT_FT),
    finetuneSeed: 0, sweepLevels: levels, quick,
    accuracy: 'test split; after pruning and after the last epoch by onnxruntime-node, per epoch by the tfjs lowering',
  };

  for (const name of a.models!.split(',').map((s) => s.trim()).filter(Boolean)) {
    const t0 = Date.now();
    const dataset = DATASET[name] ?? 'mnist';
    const modelPath = `models/${name}/model.onnx`;
    const manifest = JSON.parse(readFileSync(`models/${name}/manifest.json`, 'utf8'));
    const model = loadModel(modelPath);
    const trainLimit = quick ? 1000 : a['train-limit'] !== undefined ? Number(a['train-limit']) : name === 'cnn' ? Number(a['cnn-train-limit']) : undefined;
    const train = load(dataset, 'train', trainLimit);
    const test = load(dataset, 'test', quick ? 500 : undefined);
    log(`${name}: ${train.n} train / ${test.n} test samples`);
    const dense = await ortAccuracy(model, test);
    log(`${name}: dense ${dense.toFixed(4)}`);

    const outcome = async (label: string, r: Awaited<ReturnType<typeof pruneGuarded>>, c: FtConfig): Promise<PruneOutcome> => {
      const afterPrune = await ortAccuracy(r.model, test);
      const ft = await tuneMeasured(r, train, test, epochs, c);
      log(`${name} ${label}: sparsity ${r.achieved.toFixed(4)}, ${afterPrune.toFixed(4)} → ${ft.perEpoch.map((x) => x.toFixed(4)).join(' → ')} (ort ${ft.ortFinal?.toFixed(4)}; ${ftLabel(c)}, ${ft.seconds.toFixed(0)} s)`);
      return {
        guard: label, layers: layerTable(r), overall: r.achieved, afterPrune, afterEpochs: ft.perEpoch, ortAfter: ft.ortFinal,
        finetune: { config: c, trainSamples: train.n, seconds: ft.seconds, loss: ft.history.map((h) => h.loss) },
      };
    };

    const run = { date: new Date().toISOString(), commit: commit(), sections: only ? [...only].join(',') : `all${skip.size ? ` but ${[...skip].join(',')}` : ''}`, loadavgAtStart: os.loadavg() };
    const g = await pruneGuarded(model);
    const u = await pruneUnguarded(model, g.achieved);
    const prev = file.models[name];
    const does = (section: string) => !skip.has(section) && (only === null || only.has(section));
    if (!does('main') && !prev) throw new Error(`${name}: no earlier results to keep; run the main section`);
    const ev: ModelEvidence = does('main')
      ? {
        name, description: manifest.description, dataset, trainSamples: train.n, testSamples: test.n, dense,
        guarded: await outcome('delta-r', g, DEFAULT_FT), unguarded: await outcome('none', u, DEFAULT_FT),
        sweep: [], sweepFinetune: null, seconds: 0, date: new Date().toISOString(), runs: [...(prev?.runs ?? []), run],
      }
      : { ...prev!, sweep: [], seconds: 0, date: new Date().toISOString(), runs: [...prev!.runs, run] };
    file.models[name] = ev;
    const recurrent = partsOf(pruneTargets(model)).some((p) => p.name === 'W');

    if (name === 'lstm' && does('tune')) {
      const sel = await selectFinetune(model, g, train, Math.round(train.n * 0.875));
      log(`${name}: selected ${ftLabel(sel.selected)}`);
      ev.selection = { ...sel, guarded: await outcome('delta-r', g, sel.selected), unguarded: await outcome('none', u, sel.selected) };
    } else ev.selection = prev?.selection;

    if (ev.selection && does('seeds')) {
      // The selected schedule again with other batch orders: how much of a difference is noise.
      ev.selection.seeds = [];
      for (const seed of [1, 2]) {
        const c = { ...ev.selection.selected, seed };
        ev.selection.seeds.push({ seed, guarded: await outcome('delta-r', g, c), unguarded: await outcome('none', u, c) });
      }
    }

    const lstmSchedule = file.models.lstm?.selection?.selected;
    if (name !== 'lstm' && lstmSchedule && does('transfer')) {
      // The schedule selected on the LSTM's held-out data, applied unchanged (not re-selected here).
      ev.transfer = { config: lstmSchedule, guarded: await outcome('delta-r', g, lstmSchedule), unguarded: await outcome('none', u, lstmSchedule) };
    } else ev.transfer = prev?.transfer;

    if (recurrent && does('variants')) {
      ev.variants = [];
      const variants: [string, GuardOptions][] = [
        ['delta-r per-gate', { criterion: 'delta-r', perGate: true }],
        ['imdb', { criterion: 'imdb' }],
        ['delta-r min-coverage 0.9', { criterion: 'delta-r', minCoverage: 0.9 }],
      ];
      const c = ev.selection?.selected ?? DEFAULT_FT;
      for (const [label, opts] of variants) {
        const r = await pruneGuarded(model, opts);
        // The same masks as the plain guard (and the same schedule): no need to fine-tune again.
        const same = countsKey(r.masks) === countsKey(g.masks) && ftLabel(c) === ftLabel(DEFAULT_FT);
        ev.variants.push(same ? { ...ev.guarded, guard: `${label} (same masks as delta-r)` } : await outcome(label, r, c));
      }
    } else ev.variants = prev?.variants;

    if (name === 'lstm' && does('snip')) ev.snip = await snipCoverage(model, dataset, test);
    else ev.snip = prev?.snip;

    if (does('sweep')) {
      const tuneData = a['no-sweep-finetune'] ? null : subset(train, 0, quick ? 500 : Number(a['sweep-train-limit']));
      ev.sweepFinetune = tuneData ? { trainSamples: tuneData.n, epochs: 1, config: DEFAULT_FT } : null;
      const criterion = spectralCriterion({ criterion: 'delta-r' });
      for (const part of partsOf(pruneTargets(model))) {
        ev.sweep.push(await sweepPart(model, part, test, { levels, criterion, tuneData, ft: DEFAULT_FT }));
        await save();
      }
    } else {
      ev.sweep = prev?.sweep ?? [];
      ev.sweepFinetune = prev?.sweepFinetune ?? null;
    }
    ev.seconds = (run as { seconds?: number }).seconds = (Date.now() - t0) / 1000;
    await save();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run(process.argv.slice(2));
