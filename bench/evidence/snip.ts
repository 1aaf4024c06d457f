// SNIP under the Δr guard, with and without --min-coverage: SNIP concentrates the
// kept weights of a recurrent W on a few rows, and Δr (which drops isolated
// vertices) lets a small dense block pass. This measures whether the coverage rule
// changes the outcome: per weight its sparsity and coverage, accuracy after pruning
// and after one fine-tuning epoch.
import type { Model } from '../../runtime/ir.ts';
import type { Dataset, DatasetName } from '../../src/data/index.ts';
import { runPipeline } from '../../src/prune/pipeline.ts';
import { DEFAULT_FT, log, ortAccuracy } from './common.ts';

export interface SnipRun {
  minCoverage: number | null;
  overall: number;
  layers: { name: string; graph: string; sparsity: number; limit: number | null; coverage: number | null; criterion: number | null }[];
  afterPrune: number;
  afterEpoch1: number;
  seconds: number;
}

export const SNIP_COVERAGES: (number | null)[] = [null, 0.5, 0.75, 0.9];

export async function snipCoverage(model: Model, data: DatasetName, test: Dataset, coverages = SNIP_COVERAGES): Promise<SnipRun[]> {
  const out: SnipRun[] = [];
  for (const cov of coverages) {
    const t0 = Date.now();
    const p = await runPipeline(model, {
      method: 'snip', sparsity: 'auto', guard: 'delta-r', minCoverage: cov ?? 0, data, noEval: true,
      epochs: 1, lr: DEFAULT_FT.lr, batchSize: DEFAULT_FT.batchSize,
    });
    const r = p.result;
    const run: SnipRun = {
      minCoverage: cov, overall: r.achieved,
      layers: r.report.map((x) => ({
        name: x.name, graph: x.graph, sparsity: x.sparsity, limit: x.limit, criterion: x.verdict?.value ?? null,
        coverage: x.verdict ? Math.min(...x.verdict.graphs.map((g) => g.coverage ?? 1)) : null,
      })),
      afterPrune: await ortAccuracy(r.model, test),
      afterEpoch1: await ortAccuracy(p.final, test),
      seconds: (Date.now() - t0) / 1000,
    };
    log(`snip min-coverage ${cov ?? 'off'}: ${run.layers.map((l) => `${l.graph} ${l.sparsity.toFixed(3)} (cov ${l.coverage?.toFixed(3)})`).join(', ')}; ${run.afterPrune.toFixed(4)} → ${run.afterEpoch1.toFixed(4)}`);
    out.push(run);
  }
  return out;
}
