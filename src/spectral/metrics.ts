// The spectral quantities of one bipartite graph, exactly as defined in
// SPECTRAL.md §2 (and docs/design/spectral.md for what it leaves open). Every
// quantity that is undefined for a graph is null, never NaN or a sentinel number.
import { bipartiteFromView, pattern, rowSubgraph, type Bipartite, type MatrixView } from './sparse.ts';
import { topTwoSingularValues, type SolverOptions } from './svd.ts';

export type Criterion = 'delta-r' | 'imdb' | 'delta-s';
/** 'paper': e = |E| in NaRC (Eq. 9); 'reference': e = 2|E| (the directed count the reference code passes). */
export type NarcConvention = 'paper' | 'reference';

export interface WeightedMetrics {
  mu0: number | null;
  muHat: number | null;
  deltaR: number | null;
  deltaS: number | null;
}

export interface GraphMetrics {
  /** Full sizes: n = |L| (inputs), m = |R| (outputs), isolated vertices included. */
  n: number;
  m: number;
  /** Non-isolated left / right vertices and edges. */
  nL: number;
  nR: number;
  edges: number;
  dL: number | null;
  dR: number | null;
  mu0: number | null;
  muHat: number | null;
  deltaR: number | null;
  deltaRNorm: number | null;
  deltaS: number | null;
  deltaSNorm: number | null;
  imdb: number | null;
  imdbGroups: number;
  /** The side IMDB grouped by degree (the larger one); null when IMDB was not asked for. */
  imdbSide: ImdbSide | null;
  narc: number | null;
  narcDirected: number | null;
  expansion: number | null;
  weighted: WeightedMetrics | null;
}

export interface MetricsOptions {
  /** Compute the |w|-weighted forms (default true). */
  weighted?: boolean;
  /** Compute IMDB (default true). */
  imdb?: boolean;
  solver?: SolverOptions;
}

/** Δr = √(dL − 1) + √(dR − 1) − μ̂, defined when dL ≥ 3, dR ≥ 3 and μ̂ exists. */
export function deltaR(dL: number | null, dR: number | null, muHat: number | null): number | null {
  if (dL === null || dR === null || muHat === null || dL < 3 || dR < 3) return null;
  return ramanujanBound(dL, dR) - muHat;
}

function ramanujanBound(dL: number, dR: number): number {
  return Math.sqrt(dL - 1) + Math.sqrt(dR - 1);
}

/** Δs = 2√(μ0 − 1) − μ̂, defined when μ0 ≥ 1 and μ̂ exists. */
export function deltaS(mu0: number | null, muHat: number | null): number | null {
  if (mu0 === null || muHat === null || mu0 < 1) return null;
  return 2 * Math.sqrt(mu0 - 1) - muHat;
}

/**
 * NaRC σ = ((μ̂²/4 + 1)·√(nL·nR) − |e − (dL/m)·nL·nR|) / (n·m), with n = |L|, m = |R|
 * the full sizes and e = |E| (paper) or 2|E| (reference code).
 */
export function narc(
  g: { n: number; m: number; nL: number; nR: number; edges: number; dL: number | null; muHat: number | null },
  convention: NarcConvention = 'paper',
): number | null {
  if (g.muHat === null || g.dL === null || g.n === 0 || g.m === 0) return null;
  const e = convention === 'paper' ? g.edges : 2 * g.edges;
  const prod = g.nL * g.nR;
  return (((g.muHat * g.muHat) / 4 + 1) * Math.sqrt(prod) - Math.abs(e - (g.dL / g.m) * prod)) / (g.n * g.m);
}

/** The side IMDB groups by degree: the larger of the layer's full vertex sets, inputs on a tie. */
export type ImdbSide = 'inputs' | 'outputs';

export function imdbSide(n: number, m: number): ImdbSide {
  return m > n ? 'outputs' : 'inputs';
}

/**
 * IMDB: group the vertices of one side by exact degree; each group of ≥ 3 vertices
 * with every vertex of the other side forms a subgraph (isolated vertices dropped);
 * the Δr of those with both average degrees ≥ 3 are averaged. Returns the mean (null
 * when no group qualifies), the number of groups used and the side grouped.
 *
 * The side (docs/design/spectral.md): SPECTRAL.md and the reference group the left
 * vertices (inputs). Exact degrees only repeat when many vertices share a narrow range
 * — n vertices whose degrees lie in 0..m — and the reference's CNN layers have many
 * more inputs (Cin·kh·kw) than outputs. An LSTM's 28 inputs have degrees spread over
 * 0..512: past about 20% sparsity no three share one, and IMDB is undefined. So the
 * larger side is grouped: the reference's choice wherever inputs ≥ outputs, and on a
 * 28 × 512 layer the 512 outputs, whose degrees lie in 0..28.
 */
export function imdb(bp: Bipartite, solver?: SolverOptions): { imdb: number | null; groups: number; side: ImdbSide } {
  const side = imdbSide(bp.n, bp.m);
  const byV = pattern(side === 'inputs' ? bp.byL : bp.byR);
  const nV = byV.rows;
  // Bucket the side's vertices by degree (counting sort, so groups keep vertex order).
  let maxDeg = 0;
  for (let i = 0; i < nV; i++) maxDeg = Math.max(maxDeg, byV.rowPtr[i + 1] - byV.rowPtr[i]);
  const count = new Int32Array(maxDeg + 2);
  for (let i = 0; i < nV; i++) count[byV.rowPtr[i + 1] - byV.rowPtr[i] + 1]++;
  for (let d = 0; d <= maxDeg; d++) count[d + 1] += count[d];
  const order = new Int32Array(nV);
  const next = count.slice(0, maxDeg + 1);
  for (let i = 0; i < nV; i++) order[next[byV.rowPtr[i + 1] - byV.rowPtr[i]]++] = i;
  let sum = 0, groups = 0;
  for (let d = 3; d <= maxDeg; d++) {
    const size = count[d + 1] - count[d];
    if (size < 3) continue;
    const sub = rowSubgraph(byV, order.subarray(count[d], count[d + 1]));
    // The other side's average degree in the subgraph (Δr is symmetric in the sides).
    const dOther = (size * d) / sub.cols;
    if (dOther < 3) continue;
    const s = topTwoSingularValues(sub, solver);
    const dr = deltaR(d, dOther, s.s2);
    if (dr === null) continue;
    sum += dr;
    groups++;
  }
  return { imdb: groups > 0 ? sum / groups : null, groups, side };
}

/** Every quantity of SPECTRAL.md §2 for the graph of one weight view. */
export function graphMetrics(view: MatrixView, opts: MetricsOptions = {}): GraphMetrics {
  return metricsOfBipartite(bipartiteFromView(view, { values: opts.weighted !== false }), opts);
}

export function metricsOfBipartite(bp: Bipartite, opts: MetricsOptions = {}): GraphMetrics {
  const nL = bp.byR.cols, nR = bp.byR.rows, edges = bp.byR.rowPtr[nR];
  const dL = nL > 0 ? edges / nL : null;
  const dR = nR > 0 ? edges / nR : null;
  const s = topTwoSingularValues(pattern(bp.byR), opts.solver, pattern(bp.byL));
  const mu0 = s.s1, muHat = s.s2;
  const dr = deltaR(dL, dR, muHat);
  const ds = deltaS(mu0, muHat);
  const base = { n: bp.n, m: bp.m, nL, nR, edges, dL, muHat };
  let weighted: WeightedMetrics | null = null;
  if (opts.weighted !== false && bp.byR.values !== null) {
    let w1 = mu0, w2 = muHat;
    if (edges > 0) {
      if (bp.uniformWeight) {
        // All |w| equal: the weighted matrix is c·B, no second solve needed.
        const c = bp.byR.values![0];
        w1 = mu0 === null ? null : c * mu0;
        w2 = muHat === null ? null : c * muHat;
      } else {
        const sw = topTwoSingularValues(bp.byR, opts.solver, bp.byL);
        w1 = sw.s1; w2 = sw.s2;
      }
    }
    weighted = { mu0: w1, muHat: w2, deltaR: deltaR(dL, dR, w2), deltaS: deltaS(w1, w2) };
  }
  const im = opts.imdb === false ? { imdb: null, groups: 0, side: null } : imdb(bp, opts.solver);
  return {
    n: bp.n, m: bp.m, nL, nR, edges, dL, dR, mu0, muHat,
    deltaR: dr,
    deltaRNorm: dr === null ? null : dr / ramanujanBound(dL!, dR!),
    deltaS: ds,
    deltaSNorm: ds === null || mu0! <= 1 ? null : ds / (2 * Math.sqrt(mu0! - 1)),
    imdb: im.imdb,
    imdbGroups: im.groups,
    imdbSide: im.side,
    narc: narc(base, 'paper'),
    narcDirected: narc(base, 'reference'),
    expansion: nL > 0 ? nR / nL : null,
    weighted,
  };
}

/**
 * The guard's verdict for one graph: the criterion is ≥ 0 (and, if asked, NaRC > 0
 * in the given convention). null when a needed quantity is undefined.
 */
export function isRamanujan(g: GraphMetrics, criterion: Criterion = 'delta-r', requireNarc = false, convention: NarcConvention = 'paper'): boolean | null {
  const v = criterion === 'delta-r' ? g.deltaR : criterion === 'imdb' ? g.imdb : g.deltaS;
  if (v === null) return null;
  if (!requireNarc) return v >= 0;
  const n = convention === 'paper' ? g.narc : g.narcDirected;
  if (n === null) return null;
  return v >= 0 && n > 0;
}
