// `rampart bench <model.onnx> --data <dataset>`: the latency-against-accuracy frontier
// of a model on the user's data (src/bench/run.ts; docs/design/bench.md).
import { Command } from 'commander';
import { RampartError } from '../../../runtime/errors.ts';
import { DEFAULT_BLOCKS, DEFAULT_LEVELS, parseBlocks, parseLevels } from '../../bench/levels.ts';
import { BENCH_RUNTIMES, DEFAULT_BENCH_RUNTIMES, parseRuntimes } from '../../bench/latency.ts';
import { MAIN_SCHEDULE } from '../../bench/finetune.ts';
import { runBench } from '../../bench/run.ts';
import { DATASET_ARG } from '../../data/index.ts';
import { BLOCK_LAYOUTS } from '../../prune/blocks.ts';
import { stderrProgress } from '../../prune/progress.ts';
import { isMethod, METHOD_NAMES } from '../../prune/scorers/index.ts';
import { integerFlag, positiveFlag } from '../flags.ts';

export interface BenchCliOptions {
  data: string;
  levels: string;
  block: string[];
  blockLayout: string;
  method: string;
  epochs: string;
  lr: string;
  batchSize: string;
  lrDecay: string;
  clipNorm: string;
  runtimes: string;
  latencyBatch: string;
  rounds: string;
  noise?: string;
  limit?: string;
  trainLimit?: string;
  out: string;
  redo?: boolean;
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

function numberList(s: string, flag: string, check: (x: number) => boolean, expected: string): number[] {
  const xs = s.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  if (xs.length === 0 || !xs.every(check)) throw new RampartError(`${flag} ${s}`, { expected });
  return xs;
}

/** Every flag parsed and checked before any work (`rampart main` reuses it). */
export function benchOptions(model: string, o: BenchCliOptions) {
  if (!isMethod(o.method)) throw new RampartError(`--method ${o.method}`, { expected: METHOD_NAMES.join(', ') });
  return {
    model, data: o.data, out: o.out, levels: parseLevels(o.levels), blocks: parseBlocks(o.block?.length ? o.block : DEFAULT_BLOCKS, o.blockLayout as never),
    method: o.method, epochs: integerFlag(o.epochs, '--epochs', 0),
    ft: {
      lr: positiveFlag(o.lr, '--lr'), batchSize: integerFlag(o.batchSize, '--batch-size'), lrDecay: positiveFlag(o.lrDecay, '--lr-decay'),
      clipNorm: positiveFlag(o.clipNorm, '--clip-norm'), seed: 0,
    },
    runtimes: parseRuntimes(o.runtimes),
    batches: numberList(o.latencyBatch, '--latency-batch', (x) => Number.isInteger(x) && x >= 1, 'a comma list of batch sizes ≥ 1'),
    rounds: integerFlag(o.rounds, '--rounds'),
    noise: o.noise === undefined ? [] : numberList(o.noise, '--noise', (x) => x > 0 && Number.isFinite(x), 'a comma list of standard deviations > 0'),
    limit: o.limit === undefined ? undefined : integerFlag(o.limit, '--limit'),
    trainLimit: o.trainLimit === undefined ? undefined : integerFlag(o.trainLimit, '--train-limit'),
    redo: o.redo ?? false,
  };
}

export function register(program: Command): void {
  program
    .command('bench')
    .description('Accuracy against latency at every sparsity and block shape, on every runtime: prune, fine-tune, measure')
    .argument('<model>', 'the .onnx model (one float32 input, class scores out)')
    .requiredOption('-d, --data <dataset>', DATASET_ARG)
    .option('--levels <list>', "dense, guard (every layer to its Ramanujan limit) and fixed sparsities", DEFAULT_LEVELS.join(','))
    .option('--block <RxC>', `block shapes, repeatable or a comma list (default ${DEFAULT_BLOCKS.join(',')}: the shapes the runtime has kernels for)`, collect)
    .option('--block-layout <layout>', `recurrent weights' blocks: ${BLOCK_LAYOUTS.join(' | ')}`, 'contiguous')
    .option('-m, --method <method>', `pruning scorer: ${METHOD_NAMES.join(', ')}`, 'magnitude')
    .option('--epochs <N>', 'fine-tuning epochs after pruning, masks fixed (0: none)', '1')
    .option('--lr <X>', 'fine-tuning learning rate (Adam)', String(MAIN_SCHEDULE.lr))
    .option('--batch-size <N>', 'fine-tuning batch size', String(MAIN_SCHEDULE.batchSize))
    .option('--lr-decay <X>', 'fine-tuning learning-rate factor per epoch', String(MAIN_SCHEDULE.lrDecay))
    .option('--clip-norm <X>', 'fine-tuning gradient clipping (global norm)', String(MAIN_SCHEDULE.clipNorm))
    .option('--runtimes <list>', `runtimes to time, of ${BENCH_RUNTIMES.join(', ')} ('c': the C target built with the system's cc -O2; 'wasm-module': compile --target wasm's module, its size recorded too; both left out, with a note, where the model does not compile to C)`, DEFAULT_BENCH_RUNTIMES.join(','))
    .option('--latency-batch <list>', 'batch sizes to time', '1')
    .option('--rounds <N>', 'interleaved timing rounds per point', '200')
    .option('--noise <list>', 'also measure accuracy with Gaussian input noise of these standard deviations (e.g. 0.1,0.3)')
    .option('-n, --limit <N>', 'the first N test samples')
    .option('--train-limit <N>', 'fine-tune on the first N training samples')
    .option('-o, --out <dir>', 'where bench.json, bench.csv, bench.html, points/ and models/ go', 'out/bench')
    .option('--redo', 'recompute every point (default: keep the points of an interrupted run made with the same settings)')
    .addHelpText('after', [
      '',
      'Each point (level × block) is written to <out>/points/ when done; a bench run again with the',
      'same settings keeps those and measures only what is missing. Ctrl-C leaves no half-written file.',
      'Every runtime is timed on the dense-stored pruned model (models/<point>.onnx; Rampart packs each weight',
      'dense, CSR or block CSR from its zeros), interleaved with the dense model in the same rounds;',
      'models/<point>.csr.onnx is the smaller file to ship.',
      '',
      'Examples:',
      '  rampart bench models/lstm/model.onnx --data mnist --out out/bench-lstm',
      '  rampart bench model.onnx --data ./my-data --levels dense,guard,0.9 --block 16x1 --epochs 0',
    ].join('\n'))
    .action(async (model: string, o: BenchCliOptions) => {
      const opts = benchOptions(model, o);
      const file = await runBench({ ...opts, progress: stderrProgress() });
      process.stdout.write(`${file.points.length} points, ${file.records.length} records: ${opts.out}/bench.json, bench.csv, bench.html\n`);
    });
}
