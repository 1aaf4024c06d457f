// Model-level spectral analysis: every graph of every prunable weight, for the
// model as loaded and at magnitude-mask levels applied in memory, with the
// guard's verdict per graph and per layer. Used by `rampart analyze` and the bench.
import type { Model } from '../../runtime/ir.ts';
import { withContext } from '../../runtime/errors.ts';
import { prunableWeights, type PrunableWeight, type WeightGraph } from '../ir/layers.ts';
import { layerGraphs } from './graphs.ts';
import { magnitudeMask } from './mask.ts';
import { graphMetrics, isRamanujan, type Criterion, type GraphMetrics, type NarcConvention } from './metrics.ts';

export interface AnalyzeOptions {
  /** Magnitude-mask sparsity levels to preview; the model as loaded is always analysed too (level null). */
  levels?: number[];
  criterion?: Criterion;
  requireNarc?: boolean;
  narcConvention?: NarcConvention;
  /** Also report each gate's graph of gated recurrent weights (default true). */
  perGate?: boolean;
  weighted?: boolean;
  imdb?: boolean;
  onGraph?: (done: number, total: number) => void;
}

export interface GraphRecord extends GraphMetrics {
  layer: string;
  op: string;
  graph: WeightGraph;
  gate: string | null;
  direction: number;
  /** The mask level this record previews; null for the model as loaded. */
  level: number | null;
  /** Fraction of this graph's stored weights that are zero (grouped conv: of the compact weight). */
  sparsity: number;
  /** Conv `group` (1 elsewhere); the graph of a grouped conv is block-diagonal (docs/design/spectral.md). */
  groups: number;
  /** The verdict of `criterion` on this graph; null when undefined. */
  ramanujan: boolean | null;
}

export interface LayerVerdict {
  layer: string;
  op: string;
  level: number | null;
  /** Max sparsity over the layer's stacked graphs at this level. */
  sparsity: number;
  /** True when every stacked graph (each direction, W and R) passes; false when one fails; null otherwise. */
  ramanujan: boolean | null;
  /** The graph that decided a false or null verdict, e.g. "R dir 1". */
  failing: string | null;
}

export interface Analysis {
  criterion: Criterion;
  requireNarc: boolean;
  narcConvention: NarcConvention;
  levels: (number | null)[];
  records: GraphRecord[];
  layers: LayerVerdict[];
}

/** Combine graph verdicts: false wins, then null, then true. */
export function layerVerdict(records: GraphRecord[]): { ramanujan: boolean | null; failing: string | null } {
  let verdict: boolean | null = true;
  let failing: string | null = null;
  for (const r of records) {
    if (r.gate !== null) continue; // per-gate views are informational (see the design note)
    const label = `${r.graph}${r.direction > 0 || records.some((x) => x.direction > 0) ? ` dir ${r.direction}` : ''}`;
    if (r.ramanujan === false && verdict !== false) { verdict = false; failing = label; }
    else if (r.ramanujan === null && verdict === true) { verdict = null; failing = label; }
  }
  return { ramanujan: verdict, failing };
}

export function analyzeModel(model: Model, opts: AnalyzeOptions = {}): Analysis {
  const criterion = opts.criterion ?? 'delta-r';
  const requireNarc = opts.requireNarc ?? false;
  const narcConvention = opts.narcConvention ?? 'paper';
  const levels: (number | null)[] = [null, ...(opts.levels ?? [])];
  const pws = prunableWeights(model);
  const records: GraphRecord[] = [];
  const layers: LayerVerdict[] = [];
  const perWeight = (pw: PrunableWeight) => pw.directions * (1 + (opts.perGate !== false && pw.gates ? pw.gates.length : 0));
  const total = levels.length * pws.reduce((a, pw) => a + perWeight(pw), 0);
  let done = 0;
  const layerNames = [...new Set(pws.map((p) => p.layer))];
  for (const level of levels) {
    for (const name of layerNames) {
      const mine: GraphRecord[] = [];
      for (const pw of pws.filter((p) => p.layer === name)) {
        const transform = level === null ? undefined : (m: Float32Array) => magnitudeMask(m, level);
        for (const lg of layerGraphs(model, pw, { perGate: opts.perGate !== false, transform })) {
          let g: GraphMetrics;
          try {
            g = graphMetrics(lg.view, { weighted: opts.weighted, imdb: opts.imdb });
          } catch (e) {
            throw withContext(e, { node: pw.layer, op: pw.op, expected: `a finite ${pw.graph} weight (initializer '${pw.initializer}')` });
          }
          const stored = lg.gate === null ? pw.rows * pw.cols : (pw.hidden ?? 0) * pw.cols;
          const rec: GraphRecord = {
            layer: pw.layer, op: pw.op, graph: lg.graph, gate: lg.gate, direction: lg.direction, level,
            sparsity: stored > 0 ? 1 - g.edges / stored : 0, groups: pw.groups,
            ...g,
            ramanujan: isRamanujan(g, criterion, requireNarc, narcConvention),
          };
          mine.push(rec);
          records.push(rec);
          opts.onGraph?.(++done, total);
        }
      }
      const v = layerVerdict(mine);
      const stacked = mine.filter((r) => r.gate === null);
      layers.push({
        layer: name, op: mine[0]?.op ?? '', level,
        sparsity: stacked.reduce((a, r) => Math.max(a, r.sparsity), 0),
        ...v,
      });
    }
  }
  return { criterion, requireNarc, narcConvention, levels, records, layers };
}
