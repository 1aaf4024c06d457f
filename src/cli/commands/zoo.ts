// `rampart zoo`: the model zoo — list the recipes with their recorded accuracy, or
// retrain one from its committed recipe (src/train/recipes.ts).
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { RampartError } from '../../../runtime/errors.ts';
import { RECIPES } from '../../train/recipes.ts';
import { listZoo, trainZooModel, ZOO_DIR } from '../../train/zoo.ts';

function positiveInt(s: string, what: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new RampartError(`${what} '${s}'`, { expected: 'a positive integer' });
  return n;
}

function table(rows: string[][]): string {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((x, c) => x.padEnd(w[c])).join('  ').trimEnd()).join('\n') + '\n';
}

export function register(program: Command): void {
  const zoo = program.command('zoo').description('The model zoo: trained LSTM/GRU/RNN/CNN models and the recipes that made them');

  zoo.command('list')
    .description('List the zoo models with their recorded test accuracy (onnxruntime-node)')
    .option('--dir <dir>', "zoo folder (default: the repository's models/)")
    .option('--json', 'print the manifests as JSON')
    .action((opts: { dir?: string; json?: boolean }) => {
      const entries = listZoo(opts.dir ?? ZOO_DIR);
      if (opts.json) {
        process.stdout.write(JSON.stringify(entries.map((e) => ({ name: e.name, recipe: e.recipe, manifest: e.manifest })), null, 2) + '\n');
        return;
      }
      const rows = [['name', 'dataset', 'params', 'size', 'test acc', 'train time', 'backend', 'description']];
      for (const e of entries) {
        const m = e.manifest;
        rows.push([
          e.name,
          m?.data.dataset ?? e.recipe?.dataset ?? '?',
          m ? String(m.params) : '-',
          m ? `${(m.bytes / 1024).toFixed(0)} KB` : '-',
          m ? m.testAccuracy.toFixed(4) : 'not trained',
          m ? `${m.trainingSeconds.toFixed(0)} s` : '-',
          m?.backend.name ?? '-',
          e.recipe?.description ?? m?.description ?? '',
        ]);
      }
      process.stdout.write(table(rows));
    });

  zoo.command('train')
    .description('Train a zoo model from its recipe and write models/<name>/model.onnx + manifest.json')
    .argument('<name>', `recipe name (${RECIPES.map((r) => r.name).join(', ')})`)
    .option('--epochs <N>', 'override the recipe\'s epoch count (quick checks)')
    .option('--dir <dir>', "zoo folder to write into (default: the repository's models/)")
    .addHelpText('after', '\nExample:\n  rampart zoo train lstm      # about 3 minutes on 2 cores (wasm backend)')
    .action(async (name: string, opts: { epochs?: string; dir?: string }) => {
      const epochs = opts.epochs === undefined ? undefined : positiveInt(opts.epochs, '--epochs');
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ stream: process.stderr, format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} | loss {loss} acc {acc}', hideCursor: true }, cliProgress.Presets.shades_classic)
        : undefined;
      let active = false;
      try {
        const { manifest } = await trainZooModel(name, {
          dir: opts.dir ?? ZOO_DIR, epochs,
          onProgress: (p) => {
            if (!bar) return;
            const payload = { epoch: p.epoch, epochs: p.epochs, loss: p.loss.toFixed(3), acc: p.accuracy.toFixed(3) };
            if (!active) { bar.start(p.steps, 0, payload); active = true; }
            bar.update(p.step, payload);
            if (p.step === p.steps) { bar.stop(); active = false; }
          },
          onEpoch: (e) => {
            if (active) { bar?.stop(); active = false; }
            process.stderr.write(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, train acc ${e.trainAccuracy.toFixed(4)}` +
              `${e.valAccuracy !== undefined ? `, test acc ${e.valAccuracy.toFixed(4)}` : ''} (${e.seconds.toFixed(1)} s)\n`);
          },
        });
        process.stdout.write(`${manifest.name}: test accuracy ${manifest.testAccuracy.toFixed(4)} (onnxruntime-node, ${manifest.data.testSamples} ` +
          `${manifest.data.dataset} test samples), ${manifest.params} params, ${(manifest.bytes / 1024).toFixed(0)} KB, ` +
          `trained in ${manifest.trainingSeconds.toFixed(0)} s on tfjs-${manifest.backend.name}\n`);
      } finally {
        if (active) bar?.stop();
      }
    });
}
