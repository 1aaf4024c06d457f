// Model-level spectral analysis: every graph of every prunable weight, for the
// model as loaded and at magnitude-mask levels applied in memory, with the
// guard's verdict per graph and per layer. Used by `rampart analyze` and the bench.
// With a block shape, each level is the block mask `rampart prune --block` makes
// (src/prune/blocks.ts, over the whole weight), and every graph also gets its
// quotient graph (quotient.ts): block rows × block columns.
import type { Model } from '../../runtime/ir.ts';
import { withContext } from '../../runtime/errors.ts';
import { getMatrix, prunableWeights, type PrunableWeight, type WeightGraph } from '../ir/layers.ts';
import { blockMaskAt, blockPartition, type BlockPartition, type BlockShape } from '../prune/blocks.ts';
import { graphsOfMatrix, type LayerGraph } from './graphs.ts';
import { magnitudeMask } from './mask.ts';
import { graphMetrics, isRamanujan, type Criterion, type GraphMetrics, type NarcConvention } from './metrics.ts';
import { quotientGraphs } from './quotient.ts';

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
  /** Block shape: levels become block masks, and each graph's quotient graph is analysed too. */
  block?: BlockShape;
  onGraph?: (done: number, total: number) => void;
}

/** The quotient graph's quantities (no weighted forms: its edges are blocks) and verdict. */
export interface QuotientRecord extends GraphMetrics {
  ramanujan: boolean | null;
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
  /** With a block shape: the same graph's quotient (block rows × block columns); else null. */
  quotient: QuotientRecord | null;
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
  /** With a block shape: the same verdict on the quotient graphs. */
  quotient: { ramanujan: boolean | null; failing: string | null } | null;
}

export interface Analysis {
  criterion: Criterion;
  requireNarc: boolean;
  narcConvention: NarcConvention;
  levels: (number | null)[];
  /** The block shape of the levels and quotient graphs; null for unstructured magnitude masks. */
  block: BlockShape | null;
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

/** The graphs of one weight at one level, each with its quotient when a block partition is given. */
function graphsAt(model: Model, pw: PrunableWeight, level: number | null, perGate: boolean, blocks: BlockPartition | null): { lg: LayerGraph; q: LayerGraph | null }[] {
  const per = pw.rows * pw.cols;
  const weights = new Float32Array(pw.directions * per);
  for (let d = 0; d < pw.directions; d++) weights.set(getMatrix(model, pw, d), d * per);
  // Block levels: prune's mask over the whole weight; unstructured: keep the largest |w| per direction.
  const mask = level !== null && blocks ? blockMaskAt({ ...pw, weights }, level, blocks.shape) : null;
  const out: { lg: LayerGraph; q: LayerGraph | null }[] = [];
  for (let d = 0; d < pw.directions; d++) {
    let m: Float32Array = weights.slice(d * per, (d + 1) * per);
    if (mask) for (let k = 0; k < per; k++) { if (!mask[d * per + k]) m[k] = 0; }
    else if (level !== null) m = magnitudeMask(m, level);
    const gs = graphsOfMatrix(pw, d, m, perGate);
    const qs = blocks ? quotientGraphs(pw, blocks, d, m, perGate) : null;
    gs.forEach((lg, k) => out.push({ lg, q: qs ? qs[k] : null }));
  }
  return out;
}

export function analyzeModel(model: Model, opts: AnalyzeOptions = {}): Analysis {
  const criterion = opts.criterion ?? 'delta-r';
  const requireNarc = opts.requireNarc ?? false;
  const narcConvention = opts.narcConvention ?? 'paper';
  const levels: (number | null)[] = [null, ...(opts.levels ?? [])];
  const perGate = opts.perGate !== false;
  const pws = prunableWeights(model);
  const records: GraphRecord[] = [];
  const layers: LayerVerdict[] = [];
  const perWeight = (pw: PrunableWeight) => pw.directions * (1 + (perGate && pw.gates ? pw.gates.length : 0));
  const total = levels.length * pws.reduce((a, pw) => a + perWeight(pw), 0);
  let done = 0;
  const layerNames = [...new Set(pws.map((p) => p.layer))];
  const partitions = new Map(opts.block ? pws.map((pw) => [pw, blockPartition(pw, opts.block!)] as const) : []);
  for (const level of levels) {
    for (const name of layerNames) {
      const mine: GraphRecord[] = [];
      for (const pw of pws.filter((p) => p.layer === name)) {
        const context = { node: pw.layer, op: pw.op, expected: `a finite ${pw.graph} weight (initializer '${pw.initializer}')` };
        for (const { lg, q } of graphsAt(model, pw, level, perGate, partitions.get(pw) ?? null)) {
          let g: GraphMetrics;
          let quotient: QuotientRecord | null = null;
          try {
            g = graphMetrics(lg.view, { weighted: opts.weighted, imdb: opts.imdb });
            if (q) {
              const qm = graphMetrics(q.view, { weighted: false, imdb: opts.imdb });
              quotient = { ...qm, ramanujan: isRamanujan(qm, criterion, requireNarc, narcConvention) };
            }
          } catch (e) {
            throw withContext(e, context);
          }
          const stored = lg.gate === null ? pw.rows * pw.cols : (pw.hidden ?? 0) * pw.cols;
          const rec: GraphRecord = {
            layer: pw.layer, op: pw.op, graph: lg.graph, gate: lg.gate, direction: lg.direction, level,
            sparsity: stored > 0 ? 1 - g.edges / stored : 0, groups: pw.groups,
            ...g,
            ramanujan: isRamanujan(g, criterion, requireNarc, narcConvention),
            quotient,
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
        quotient: opts.block ? layerVerdict(mine.map((r) => ({ ...r, ramanujan: r.quotient!.ramanujan }))) : null,
      });
    }
  }
  return { criterion, requireNarc, narcConvention, levels, block: opts.block ?? null, records, layers };
}
