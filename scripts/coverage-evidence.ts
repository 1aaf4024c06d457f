// The evidence behind the guard's default `--min-coverage` (docs/design/prune.md):
// for each zoo model, scorer, block shape and criterion, `--sparsity auto` with the
// coverage rule off (or at `--min-coverage X`), and per weight its limit and the coverage of the mask there —
// the fraction of inputs and of outputs that keep an edge, min over the weight's
// gating graphs. A default at or below every coverage of the healthy masks leaves
// their limits where they are; the degenerate ones sit far below it.
//
//   npx tsx scripts/coverage-evidence.ts [--models lstm,gru] [--runs magnitude,snip] [--min-coverage X] [--json out.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { loadModel } from '../src/onnx/import.ts';
import { parseBlockShape } from '../src/prune/blocks.ts';
import { runPipeline, type GuardName } from '../src/prune/pipeline.ts';
import type { MethodName } from '../src/prune/scorers/index.ts';
import { maskViews } from '../src/prune/views.ts';
import type { Mask, PruneTarget } from '../src/prune/types.ts';

interface Run { method: MethodName; block: string; guard: GuardName }

const RUNS: Record<string, Run[]> = {
  magnitude: (['delta-r', 'imdb', 'delta-s'] as GuardName[]).flatMap((guard) =>
    ['1x1', '8x1', '16x1', '1x4'].map((block) => ({ method: 'magnitude' as MethodName, block, guard }))),
  random: [{ method: 'random', block: '1x1', guard: 'delta-r' }],
  snip: (['delta-r', 'delta-s'] as GuardName[]).map((guard) => ({ method: 'snip' as MethodName, block: '1x1', guard })),
  grasp: [{ method: 'grasp', block: '1x1', guard: 'delta-r' }],
  synflow: [{ method: 'synflow', block: '1x1', guard: 'delta-r' }],
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** Non-isolated inputs and outputs of each stacked graph of a mask, and the lowest fraction. */
function coverage(t: PruneTarget, mask: Mask): { inputs: string; outputs: string; min: number } {
  let min = 1, ins = '', outs = '';
  for (const v of maskViews(t, mask, false)) {
    const row = new Uint8Array(v.rows), col = new Uint8Array(v.cols);
    for (let r = 0; r < v.rows; r++) for (let c = 0; c < v.cols; c++) if (v.data[r * v.cols + c] !== 0) { row[r] = 1; col[c] = 1; }
    const nR = row.reduce((a, b) => a + b, 0), nL = col.reduce((a, b) => a + b, 0);
    const m = Math.min(nL / v.cols, nR / v.rows);
    if (m <= min) { min = m; ins = `${nL}/${v.cols}`; outs = `${nR}/${v.rows}`; }
  }
  return { inputs: ins, outputs: outs, min };
}

const models = (arg('--models') ?? 'lstm,gru,rnn,cnn,lstm-256,lstm-stacked').split(',');
const runs = (arg('--runs') ?? 'magnitude').split(',').flatMap((k) => RUNS[k]);
const out: unknown[] = [];
for (const name of models) {
  const model = loadModel(`models/${name}/model.onnx`);
  const data = JSON.parse(readFileSync(`models/${name}/manifest.json`, 'utf8')).recipe.dataset;
  for (const run of runs) {
    const t0 = Date.now();
    const p = await runPipeline(model, {
      method: run.method, guard: run.guard, sparsity: 'auto', minCoverage: Number(arg('--min-coverage') ?? 0), block: parseBlockShape(run.block, 'contiguous'),
      data, noEval: true, seed: 0,
    });
    const r = p.result;
    const rows = r.targets.map((t, i) => ({ weight: t.name, limit: r.report[i].sparsity, ...coverage(t, r.masks[i]) }));
    const line = rows.map((x) => `${x.weight} ${x.limit.toFixed(4)} (cov ${x.min.toFixed(3)}: in ${x.inputs}, out ${x.outputs})`).join('; ');
    process.stdout.write(`${name} ${run.method} ${run.block} ${run.guard}: ${line}  [${((Date.now() - t0) / 1000).toFixed(1)} s]\n`);
    out.push({ model: name, ...run, rows });
  }
}
const json = arg('--json');
if (json) writeFileSync(json, JSON.stringify(out, null, 1) + '\n');
