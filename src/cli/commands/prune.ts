// `rampart prune`: prune a model under the spectral-gap guard, optionally fine-tune
// it with its masks fixed, write the pruned ONNX model and a report. The methods,
// their help and the block layouts come from their registries (src/prune).
import { statSync } from 'node:fs';
import { Command, Option } from 'commander';
import { RampartError } from '../../../runtime/errors.ts';
import { checkDatasetFits, checkScoringSamples, DATASET_ARG, isBuiltinDataset, loadDataset, type DatasetName } from '../../data/index.ts';
import { loadModel } from '../../onnx/import.ts';
import { saveModel } from '../../onnx/export.ts';
import { BLOCK_LAYOUTS, blockLabel, parseBlockShape } from '../../prune/blocks.ts';
import { DEFAULT_MIN_COVERAGE } from '../../prune/criterion.ts';
import { fmt } from '../../prune/guard.ts';
import { DEFAULT_VAL_SIZE, runPipeline, type GuardName } from '../../prune/pipeline.ts';
import { stderrProgress } from '../../prune/progress.ts';
import { csrBytes, layerRows, writeReport, type PruneReportData } from '../../prune/report.ts';
import type { ScheduleKind } from '../../prune/schedule.ts';
import { MAX_DROP_BASELINES, type MaxDropBaseline } from '../../prune/maxdrop.ts';
import { METHOD_NAMES, METHODS, type MethodName } from '../../prune/scorers/index.ts';
import type { PerGraph, WeightGraph } from '../../prune/types.ts';

const GUARDS: GuardName[] = ['delta-r', 'imdb', 'delta-s', 'none'];

interface PruneCliOptions {
  method: MethodName;
  /** false when --no-guard was given (commander's negation of --guard). */
  guard: GuardName | false;
  sparsity: string;
  scope: 'global' | 'layer';
  wCap?: string;
  rCap?: string;
  wSparsity?: string;
  rSparsity?: string;
  otherSparsity?: string;
  only?: string;
  perGate?: boolean;
  narc?: boolean;
  minCoverage?: string;
  rounds?: string;
  schedule: ScheduleKind;
  erkScores: 'random' | 'magnitude';
  data?: DatasetName;
  finetune?: DatasetName;
  epochs: string;
  impEpochs: string;
  lr?: string;
  batchSize?: string;
  lrDecay?: string;
  clipNorm?: string;
  scoreBatch: string;
  trainLimit?: string;
  evalLimit?: string;
  seed: string;
  block: string;
  blockLayout: string;
  maxDrop?: string;
  valSize?: string;
  maxDropSteps: string;
  maxDropBaseline: MaxDropBaseline;
  report?: string;
  output: string;
}

/** --max-drop: accuracy points ≥ 0. */
function points(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const x = Number(s);
  if (s.trim() === '' || !(x >= 0) || !Number.isFinite(x)) throw new RampartError(`--max-drop ${s}`, { expected: 'accuracy points ≥ 0, e.g. 1 for one point' });
  return x;
}

function fraction(s: string | undefined, flag: string): number | undefined {
  if (s === undefined) return undefined;
  const x = Number(s);
  if (s.trim() === '' || !(x >= 0 && x <= 1)) throw new RampartError(`${flag} ${s}`, { expected: 'a fraction in [0, 1]' });
  return x;
}

function count(s: string | undefined, flag: string, min = 1): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!/^\d+$/.test(s.trim()) || n < min) throw new RampartError(`${flag} ${s}`, { expected: `an integer ≥ ${min}` });
  return n;
}

function positive(s: string | undefined, flag: string): number | undefined {
  if (s === undefined) return undefined;
  const x = Number(s);
  if (s.trim() === '' || !(x > 0) || !Number.isFinite(x)) throw new RampartError(`${flag} ${s}`, { expected: 'a positive number' });
  return x;
}

export function register(program: Command): void {
  program
    .command('prune')
    .description('Prune a model under the spectral-gap (Ramanujan) guard and write the pruned ONNX model')
    .argument('<model>', 'the .onnx model')
    .requiredOption('-o, --output <file>', 'where to write the pruned model (.onnx)')
    .addOption(new Option('-m, --method <method>', 'scorer / method (see below)').choices(METHOD_NAMES).default('magnitude'))
    .addOption(new Option('-g, --guard <criterion>', 'the guard: each layer must stay Ramanujan under this criterion').choices(GUARDS).default('delta-r'))
    .option('--no-guard', 'same as --guard none (prune unguarded, for comparison)')
    .option('-s, --sparsity <auto|X>', "fraction of weights to remove, or 'auto': every layer to its guard limit", 'auto')
    .addOption(new Option('--scope <scope>', 'one score threshold across layers, or the same sparsity per layer').choices(['global', 'layer']).default('global'))
    .option('--w-cap <X>', 'highest sparsity of any input-to-hidden (W) weight')
    .option('--r-cap <X>', 'highest sparsity of any hidden-to-hidden (R) weight')
    .option('--w-sparsity <X>', 'fixed sparsity of the W weights (outside the --sparsity budget)')
    .option('--r-sparsity <X>', 'fixed sparsity of the R weights (outside the --sparsity budget)')
    .option('--other-sparsity <X>', 'fixed sparsity of the Gemm/MatMul/Conv weights')
    .option('--only <graphs>', "prune only these kinds (comma list of W, R, weight); the others stay as they are")
    .option('--per-gate', 'recurrent layers: each gate\'s graph must pass too, not only the stacked one')
    .option('--narc', 'require NaRC > 0 (not random) as well')
    .option('--min-coverage <X>', `the guard also requires this fraction of each graph's inputs and of its outputs to keep an edge (Δr ignores isolated vertices; default ${DEFAULT_MIN_COVERAGE}, 0: off)`)
    .option('--rounds <N>', 'pruning rounds (default: synflow 100, imp 5, others 1)')
    .addOption(new Option('--schedule <kind>', 'sparsity schedule of iterative methods').choices(['exponential', 'polynomial', 'linear']).default('exponential'))
    .addOption(new Option('--erk-scores <kind>', 'ERK: which weights to keep inside each layer density').choices(['random', 'magnitude']).default('random'))
    .option('-d, --data <dataset>', `dataset for SNIP/GraSP scoring and accuracy: ${DATASET_ARG}`)
    .option('--finetune <dataset>', 'fine-tune on this dataset after pruning (and between IMP rounds); as --data')
    .option('--epochs <N>', 'fine-tuning epochs after pruning', '1')
    .option('--imp-epochs <N>', 'IMP: fine-tuning epochs between rounds', '1')
    .option('--lr <X>', 'fine-tuning learning rate (Adam, default 1e-3)')
    .option('--batch-size <N>', 'fine-tuning batch size (default 64)')
    .option('--lr-decay <X>', 'fine-tuning learning-rate factor per epoch (default 1: constant)')
    .option('--clip-norm <X>', 'clip fine-tuning gradients to this global norm (default: no clipping)')
    .option('--score-batch <N>', 'samples in the SNIP/GraSP scoring batch', '256')
    .option('--train-limit <N>', 'fine-tune on the first N training samples')
    .option('--eval-limit <N>', 'measure accuracy on the first N test samples')
    .option('--seed <N>', 'seed of the random scorer', '0')
    .option('--block <RxC>', 'prune whole blocks of R output rows × C input columns (8x1, 16x1, 1x4, …; 1x1 = unstructured)', '1x1')
    .addOption(new Option('--block-layout <layout>', "recurrent weights: R consecutive rows of one gate, or the same units' gates together (R a multiple of the gates)").choices(BLOCK_LAYOUTS).default('contiguous'))
    .option('--max-drop <P>', 'search the highest sparsity whose validation accuracy (after the configured fine-tuning) stays within P points of dense; needs --data')
    .option('--val-size <N>', `--max-drop: samples held out from the end of the training split (default ${DEFAULT_VAL_SIZE})`)
    .option('--max-drop-steps <N>', '--max-drop: candidates after the spectral limit', '4')
    .addOption(new Option('--max-drop-baseline <kind>', '--max-drop: measure the drop against the dense model fine-tuned like the candidates (what pruning costs), or the dense model as it is').choices(MAX_DROP_BASELINES).default('finetuned'))
    .option('--report <dir>', 'write prune-report.{json,md} and charts here')
    .addHelpText('after', () => [
      '',
      'Methods:',
      ...METHOD_NAMES.map((m) => `  ${m.padEnd(10)} ${METHODS[m].summary}`),
      '',
      'The guard finds, per prunable weight, the highest sparsity at which its bipartite graph',
      '(per direction; W and R separately) still satisfies the criterion: a coarse scan 0.50..0.99,',
      'a finer grid and bisection above the last passing level (the criterion is not monotone).',
      "With a numeric --sparsity, layers are capped at their limit and the rest of the budget moves",
      'to layers that can take it; the report says when the target cannot be met.',
      'With --block RxC every mask is whole blocks (never across gates or conv groups; edge blocks smaller),',
      'scored by each method\'s block reduction; the guard judges the element graph of the block mask.',
      '--max-drop P starts at the guard\'s allocation and bisects above or below it; a drop is measured against the dense',
      'model fine-tuned the same way on the same samples (--max-drop-baseline dense: against the dense model as is).',
      '',
      'Examples:',
      '  rampart prune models/lstm/model.onnx --sparsity auto -o lstm-auto.onnx --report out/',
      '  rampart prune models/lstm/model.onnx -m snip --data mnist --sparsity 0.9 --r-cap 0.8 -o p.onnx',
      '  rampart prune models/gru/model.onnx -m imp --sparsity 0.9 --finetune mnist --epochs 2 -o p.onnx',
      '  rampart prune models/lstm/model.onnx --block 8x1 --sparsity auto -o lstm-8x1.onnx',
      '  rampart prune models/lstm/model.onnx --block 8x1 --max-drop 1 --finetune mnist --epochs 1 -o p.onnx',
    ].join('\n'))
    .action(async (modelPath: string, opts: PruneCliOptions) => {
      const guard: GuardName = opts.guard === false ? 'none' : opts.guard;
      const sparsity = opts.sparsity === 'auto' ? 'auto' : fraction(opts.sparsity, '--sparsity')!;
      const caps: PerGraph<number> = {};
      const rates: PerGraph<number> = {};
      if (opts.wCap !== undefined) caps.W = fraction(opts.wCap, '--w-cap');
      if (opts.rCap !== undefined) caps.R = fraction(opts.rCap, '--r-cap');
      if (opts.wSparsity !== undefined) rates.W = fraction(opts.wSparsity, '--w-sparsity');
      if (opts.rSparsity !== undefined) rates.R = fraction(opts.rSparsity, '--r-sparsity');
      if (opts.otherSparsity !== undefined) rates.weight = fraction(opts.otherSparsity, '--other-sparsity');
      if (opts.only !== undefined) {
        const only = opts.only.split(',').map((s) => s.trim());
        const kinds: WeightGraph[] = ['W', 'R', 'weight'];
        for (const k of only) if (!(kinds as string[]).includes(k)) throw new RampartError(`--only ${k}`, { expected: 'a comma list of W, R, weight' });
        for (const k of kinds) if (!only.includes(k) && rates[k] === undefined) rates[k] = 0;
      }
      const minCoverage = fraction(opts.minCoverage, '--min-coverage');
      if (minCoverage !== undefined && guard === 'none') throw new RampartError('--min-coverage is part of the guard', { expected: 'a guard other than none' });
      const data = opts.finetune ?? opts.data;
      const epochs = opts.finetune ? count(opts.epochs, '--epochs', 0)! : 0;
      const block = parseBlockShape(opts.block, opts.blockLayout);
      const maxDrop = points(opts.maxDrop);
      const model = loadModel(modelPath);
      if (data !== undefined && !isBuiltinDataset(data)) {
        const splits = (['train', 'test'] as const).map((split) => loadDataset(data, split));
        for (const ds of splits) checkDatasetFits(model, ds, modelPath);
        if (maxDrop !== undefined) checkScoringSamples(splits[0], '--max-drop', data);
        if (METHODS[opts.method].scorer(opts).needsData) checkScoringSamples(splits[0], `--method ${opts.method}`, data);
      }
      const progress = stderrProgress();
      const t0 = Date.now();
      const p = await runPipeline(model, {
        method: opts.method, sparsity, scope: opts.scope, guard, requireNarc: opts.narc, perGate: opts.perGate, minCoverage,
        caps, rates, rounds: count(opts.rounds, '--rounds'), schedule: opts.schedule, erkScores: opts.erkScores,
        seed: count(opts.seed, '--seed', 0), data, epochs, impEpochs: count(opts.impEpochs, '--imp-epochs', 0),
        lr: positive(opts.lr, '--lr'), batchSize: count(opts.batchSize, '--batch-size'),
        lrDecay: positive(opts.lrDecay, '--lr-decay'), clipNorm: positive(opts.clipNorm, '--clip-norm'),
        scoreBatch: count(opts.scoreBatch, '--score-batch'), trainLimit: count(opts.trainLimit, '--train-limit'),
        evalLimit: count(opts.evalLimit, '--eval-limit'), block, maxDrop, valSize: count(opts.valSize, '--val-size'),
        maxDropSteps: count(opts.maxDropSteps, '--max-drop-steps', 0), maxDropBaseline: opts.maxDropBaseline, progress,
      });
      saveModel(p.final, opts.output);
      const r = p.result;
      for (const row of r.report) {
        process.stdout.write(`${row.name.padEnd(24)} ${row.layer} ${row.graph}: ${fmt(row.sparsityBefore)} → ${fmt(row.sparsity)}` +
          `${row.limit === null ? '' : ` (guard limit ${fmt(row.limit)})`}\n`);
      }
      if (p.maxDrop) {
        const m = p.maxDrop;
        const base = m.baseline === 'finetuned' ? `, dense fine-tuned ${m.baselineAccuracy.toFixed(4)} (the baseline)` : '';
        process.stdout.write(`max-drop ${m.maxDrop} points on ${m.valSize} validation samples (dense ${m.denseAccuracy.toFixed(4)}${base}, spectral limit ${fmt(m.spectralLimit)}):\n`);
        m.candidates.forEach((c, i) => process.stdout.write(`  ${i === m.chosen ? '*' : ' '} ${fmt(c.sparsity)} ${c.role.padEnd(14)} spectral ${c.spectral ? 'pass' : 'fail'}  validation ${c.accuracy.toFixed(4)} (drop ${c.drop.toFixed(2)})${c.within ? '' : ' over'}\n`));
      }
      process.stdout.write(`sparsity ${fmt(r.achieved)} over ${r.targets.length} prunable weights${r.block.rows * r.block.cols > 1 ? ` in ${blockLabel(r.block)} blocks` : ''}${r.met ? '' : ' — target not met'}; wrote ${opts.output} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      for (const n of r.notes) process.stdout.write(`note: ${n}\n`);
      if (p.accuracy) {
        const a = p.accuracy;
        const f = (x: number | null) => (x === null ? '—' : x.toFixed(4));
        process.stdout.write(`accuracy (${a.dataset}, ${a.n}): before ${f(a.before)}, after pruning ${f(a.afterPrune)}, after fine-tuning ${f(a.afterFinetune)}\n`);
      }
      if (opts.report) {
        const data: PruneReportData = {
          model: modelPath, output: opts.output, method: opts.method, guard, scope: opts.scope, block: r.block,
          minCoverage: guard === 'none' ? undefined : minCoverage ?? DEFAULT_MIN_COVERAGE,
          requested: r.requested, achieved: r.achieved, achievedBudget: r.achievedBudget, met: r.met, rounds: r.rounds,
          caps: caps as Record<string, number>, rates: rates as Record<string, number>, notes: r.notes,
          layers: layerRows(r, p.before), accuracy: p.accuracy, params: paramCounts(p),
          sizes: {
            onnxBytesBefore: statSync(modelPath).size, onnxBytesAfter: statSync(opts.output).size,
            denseWeightBytes: r.targets.reduce((s, t) => s + 4 * t.weights.length, 0), csrWeightBytes: csrBytes(r.targets),
          },
          finetune: epochs > 0 ? { epochs, history: p.history } : null,
          maxDrop: p.maxDrop,
        };
        const files = await writeReport(opts.report, data, guard === 'none' ? 'Δr' : guard);
        process.stdout.write(`report: ${files.join(', ')}\n`);
      }
    });
}

function paramCounts(p: Awaited<ReturnType<typeof runPipeline>>): PruneReportData['params'] {
  let total = 0;
  for (const t of Object.values(p.final.graph.initializers)) if (t.dtype === 'float32' || t.dtype === 'float64' || t.dtype === 'float16') total += t.data.length;
  const nz = (ws: { weights: Float32Array }[]) => ws.reduce((s, t) => s + t.weights.reduce((c, w) => c + (w !== 0 ? 1 : 0), 0), 0);
  return {
    total,
    prunable: p.before.reduce((s, t) => s + t.weights.length, 0),
    nonzeroPrunableBefore: nz(p.before),
    nonzeroPrunableAfter: nz(p.result.targets),
  };
}
