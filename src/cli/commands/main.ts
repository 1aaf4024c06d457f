// `rampart main`: the whole pipeline on one model, each step the same command a user
// would type (so the main job exercises exactly the CLI that is documented):
//   inspect → eval (dense) → analyze → prune under the guard (+ fine-tune) →
//   compile to CSR ONNX → eval on Rampart's WASM runtime and onnxruntime →
//   the frontier (`rampart bench`, a short form: few levels, no fine-tuning, its
//   latencies are the summary's) → summary.json, summary.md (+ summary-latency.svg)
//   and a self-contained summary.html.
// Each step runs as its own process: tfjs keeps a process-wide backend, and a step
// that fails stops the pipeline with that step's own error message.
import { type Command, Option } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RampartError } from '../../../runtime/errors.ts';
import { writeFileAtomic } from '../../io/atomic.ts';
import { DATASET_ARG } from '../../data/index.ts';
import { parseBlocks, parseLevels } from '../../bench/levels.ts';
import { frontierMarkdown, frontierSection } from '../../bench/report.ts';
import type { BenchFile } from '../../bench/types.ts';
import { CRITERIA } from '../../prune/criterion.ts';
import { METHOD_NAMES } from '../../prune/scorers/index.ts';
import { integerFlag, positiveFlag, sparsityFlag } from '../flags.ts';
import { escapeHtml } from '../../report/chart.ts';
import { accuracyPoints, accuracySvg, latencyBarSvg, summaryHtml, summaryMarkdown, type SummaryInput } from '../../report/summary.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = join(ROOT, 'bin/rampart.js');
export const DEFAULT_MODEL = join(ROOT, 'models/lstm/model.onnx');

interface Options {
  data: string;
  out: string;
  method: string;
  guard: string;
  sparsity: string;
  epochs: string;
  lr: string;
  batchSize: string;
  lrDecay: string;
  clipNorm: string;
  evalLimit?: string;
  trainLimit?: string;
  frontierLevels: string;
  frontierBlock: string;
  frontierEpochs: string;
  frontierTrainLimit: string;
}

interface StepResult { step: string; argv: string[]; seconds: number; stdout: string }

/**
 * Every value the steps will be given, checked before the first step runs: a bad
 * --sparsity must not cost an inspect, an evaluation and an analysis first.
 */
function checkOptions(o: Options): void {
  sparsityFlag(o.sparsity);
  integerFlag(o.epochs, '--epochs', 0);
  positiveFlag(o.lr, '--lr');
  integerFlag(o.batchSize, '--batch-size');
  positiveFlag(o.lrDecay, '--lr-decay');
  positiveFlag(o.clipNorm, '--clip-norm');
  if (o.evalLimit !== undefined) integerFlag(o.evalLimit, '--eval-limit');
  if (o.trainLimit !== undefined) integerFlag(o.trainLimit, '--train-limit');
  integerFlag(o.frontierEpochs, '--frontier-epochs', 0);
  integerFlag(o.frontierTrainLimit, '--frontier-train-limit');
  parseLevels(o.frontierLevels);
  parseBlocks([o.frontierBlock]);
}

function step(name: string, args: string[], common: string[]): StepResult {
  process.stderr.write(`\n── ${name}: rampart ${args.join(' ')}\n`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...common, ...args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 << 20 });
  process.stdout.write(r.stdout ?? '');
  // A step's bug stays a bug (exit 70 here too); its stack is already on stderr.
  if (r.status === 70) throw new Error(`step '${name}' failed with an internal error; its stack is above`);
  if (r.status !== 0) {
    throw new RampartError(`step '${name}' failed (exit ${r.status}); its message is above`, { expected: `rampart ${args.join(' ')} to succeed` });
  }
  return { step: name, argv: args, seconds: (performance.now() - t0) / 1000, stdout: r.stdout ?? '' };
}

function accuracyOf(r: StepResult): number {
  const m = /accuracy: ([0-9.]+)/.exec(r.stdout);
  if (!m) throw new RampartError(`step '${r.step}' printed no accuracy line`);
  return Number(m[1]);
}

/** `common`: options every step is given (the root's --max-memory). */
export async function runMain(modelArg: string | undefined, o: Options, common: string[] = []): Promise<void> {
  checkOptions(o);
  const model = resolve(modelArg ?? DEFAULT_MODEL);
  if (!existsSync(model)) throw new RampartError('model file not found', { file: model, expected: 'an .onnx file (the default is the zoo LSTM, models/lstm/model.onnx)' });
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  const f = (name: string) => join(out, name);
  const limit = o.evalLimit ? ['--limit', o.evalLimit] : [];
  const steps: StepResult[] = [];
  const run = (name: string, args: string[]) => {
    const r = step(name, args, common);
    steps.push(r);
    return r;
  };

  run('inspect', ['inspect', model]);
  const dense = accuracyOf(run('eval dense (onnxruntime)', ['eval', model, '--data', o.data, '--runtime', 'ort', ...limit]));
  run('analyze', ['analyze', model, '--at', '0.5,0.8,0.9,0.95', '--no-gates', '--json', f('analyze.json'), '--html', f('analyze.html')]);
  const pruneArgs = ['prune', model, '--method', o.method, '--guard', o.guard, '--sparsity', o.sparsity,
    '--report', f('prune'), '-o', f('pruned.onnx')];
  if (Number(o.epochs) > 0) {
    pruneArgs.push('--finetune', o.data, '--epochs', o.epochs, '--lr', o.lr, '--batch-size', o.batchSize,
      '--lr-decay', o.lrDecay, '--clip-norm', o.clipNorm);
  }
  if (o.trainLimit) pruneArgs.push('--train-limit', o.trainLimit);
  if (o.evalLimit) pruneArgs.push('--eval-limit', o.evalLimit);
  run('prune', pruneArgs);
  run('compile', ['compile', f('pruned.onnx'), '--target', 'onnx-csr', '-o', f('pruned.csr.onnx')]);
  const csrOrt = accuracyOf(run('eval CSR model (onnxruntime)', ['eval', f('pruned.csr.onnx'), '--data', o.data, '--runtime', 'ort', ...limit]));
  const csrWasm = accuracyOf(run('eval CSR model (Rampart wasm)', ['eval', f('pruned.csr.onnx'), '--data', o.data, '--runtime', 'wasm', ...limit]));

  const benchArgs = ['bench', model, '--data', o.data, '--levels', o.frontierLevels, '--block', o.frontierBlock, '--epochs', o.frontierEpochs,
    '--train-limit', String(Math.min(Number(o.frontierTrainLimit), Number(o.trainLimit ?? Infinity))), '--rounds', '100', '-o', f('bench'), ...limit];
  run('frontier', benchArgs);
  const bench = JSON.parse(readFileSync(join(f('bench'), 'bench.json'), 'utf8')) as BenchFile;
  // The guard's masks are the pruned model's (magnitude scores of the dense model; fine-tuning
  // keeps them), so the pruned model's latency is the bench's 1x1 guard point's.
  const latency = frontierLatency(bench);

  const pruneReport = JSON.parse(readFileSync(join(f('prune'), 'prune-report.json'), 'utf8')) as Record<string, unknown>;
  const summary = {
    model: relative(ROOT, model) || model,
    data: o.data,
    evalLimit: o.evalLimit ? Number(o.evalLimit) : null,
    accuracy: { dense, prunedCsrOrt: csrOrt, prunedCsrWasm: csrWasm },
    prune: pruneReport,
    latency,
    steps: steps.map((s) => ({ step: s.step, seconds: Number(s.seconds.toFixed(2)) })),
  };
  writeFileAtomic(f('summary.json'), new TextEncoder().encode(JSON.stringify(summary, null, 2) + '\n'));

  const view: SummaryInput = {
    ...summary, method: o.method, guard: o.guard, sparsity: o.sparsity, epochs: o.epochs,
    accuracy: { ...summary.accuracy, prunedBeforeFinetune: (pruneReport.accuracy as { afterPrune?: number | null } | null)?.afterPrune ?? null },
    achieved: typeof pruneReport.achieved === 'number' ? pruneReport.achieved : null,
  };
  const latencySvg = await latencyBarSvg(latency);
  writeFileAtomic(f('summary-latency.svg'), new TextEncoder().encode(latencySvg));
  const md = summaryMarkdown(view, 'summary-latency.svg') + ['', '## The frontier (`rampart bench`)', '',
    `Accuracy after ${bench.config.epochs} fine-tuning epochs on ${bench.model.testSamples} test samples; batch-1 latency, median of interleaved runs. Every chart: bench/bench.html.`, '',
    ...frontierMarkdown(bench), ''].join('\n');
  writeFileAtomic(f('summary.md'), new TextEncoder().encode(md));
  const pruneSvg = (name: string) => (existsSync(join(f('prune'), name)) ? readFileSync(join(f('prune'), name), 'utf8') : null);
  const frontier = await frontierSection(bench);
  const html = summaryHtml(view, {
    accuracy: await accuracySvg(accuracyPoints(view)), latency: latencySvg,
    pruneSparsity: pruneSvg('prune-sparsity.svg'), pruneGuard: pruneSvg('prune-guard.svg'),
  }).replace('</body>', `<section>\n<h2>${frontier.heading}</h2>\n<p>${escapeHtml(frontier.text ?? '')} All of it: <a href="bench/bench.html">bench/bench.html</a>.</p>\n${frontier.html}\n</section>\n</body>`);
  writeFileAtomic(f('summary.html'), new TextEncoder().encode(html));
  process.stdout.write('\n' + md);
  process.stdout.write(`\nreport: ${relative(process.cwd(), out) || '.'}/ (summary.html, summary.md, summary.json, analyze.html, prune/, bench/)\n`);
}

export function register(program: Command): void {
  program
    .command('main')
    .description('The main job: inspect, evaluate, analyse, prune under the guard, fine-tune, compile to CSR ONNX, run and time it')
    .argument('[model]', 'the .onnx model (default: the zoo LSTM, models/lstm/model.onnx)')
    .option('--data <dataset>', DATASET_ARG, 'mnist')
    .option('--out <dir>', 'report folder', 'out/main')
    .addOption(new Option('--method <name>', 'pruning scorer').choices(METHOD_NAMES).default('magnitude'))
    .addOption(new Option('--guard <name>', 'the guard criterion').choices([...CRITERIA, 'none']).default('delta-r'))
    .option('--sparsity <auto|X>', "'auto' takes each layer to its guard limit", 'auto')
    .option('--epochs <N>', 'fine-tuning epochs after pruning', '2')
    // The fine-tuning defaults are the schedule selected on held-out training data for
    // the zoo LSTM (docs/EVIDENCE.md, "LSTM target"), not on the test split.
    .option('--lr <X>', 'fine-tuning learning rate (Adam)', '0.003')
    .option('--batch-size <N>', 'fine-tuning batch size', '32')
    .option('--lr-decay <X>', 'fine-tuning learning-rate factor per epoch', '0.3')
    .option('--clip-norm <X>', 'fine-tuning gradient clipping (global norm)', '5')
    .option('--eval-limit <N>', 'evaluate on the first N test samples')
    .option('--train-limit <N>', 'fine-tune on the first N training samples')
    // The frontier's short form keeps the main job near two minutes; `rampart bench` has the full one.
    .option('--frontier-levels <list>', 'the frontier step: levels (rampart bench --levels)', 'dense,guard,0.9')
    .option('--frontier-block <list>', 'the frontier step: block shapes', '1x1,16x1')
    .option('--frontier-epochs <N>', 'the frontier step: fine-tuning epochs per point', '1')
    .option('--frontier-train-limit <N>', 'the frontier step: fine-tune each point on the first N training samples', '1000')
    .action(async (model: string | undefined, opts: Options) => runMain(model, opts, ['--max-memory', program.opts().maxMemory as string]));
}

/** Batch-1 latency rows of the summary: the dense model, and the guard's 1x1 point (the pruned model's masks). */
function frontierLatency(b: BenchFile): { label: string; runtime: string; medianMs: number; runs: number }[] {
  const rows: { label: string; runtime: string; medianMs: number; runs: number }[] = [];
  for (const [id, label] of [['dense', 'dense'], ['1x1--guard', 'pruned (guard)']] as const) {
    const p = b.points.find((x) => x.id === id);
    for (const [runtime, s] of Object.entries(p?.latency['1'] ?? {})) rows.push({ label, runtime, medianMs: s.medianMs, runs: s.runs });
  }
  return rows;
}
