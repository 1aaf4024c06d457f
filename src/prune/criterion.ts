// The spectral guard's criterion (SPECTRAL.md §4): a mask of a target passes when
// the chosen quantity — Δr (default), IMDB or Δs — is ≥ 0 on every graph that gates
// the verdict: the stacked graph of each direction, plus each gate's graph when
// `perGate` is set, optionally with NaRC > 0 as well. A quantity that is undefined
// (Δr needs average degrees ≥ 3 on both sides) fails: the guard cannot vouch for it.
//
// `minCoverage` (opt-in, off by default so the SPECTRAL.md contract is unchanged)
// closes a loophole of Δr: it drops isolated vertices first, so a mask that keeps
// one small dense block of a layer and nothing else passes. With it, each gating
// graph must also keep at least that fraction of its full left (input) and right
// (output) vertex sets non-isolated.
//
// Per-gate graphs do not gate by default: the RNN paper's "layerwise bipartite
// graphs" are the weight matrices, i.e. the stacked graph; per gate is stricter
// (four H-row graphs must each pass) and is there to compare.
import { graphMetrics, isRamanujan, type GraphMetrics } from '../spectral/index.ts';
import { maskViews } from './views.ts';
import type { Criterion, GraphVerdict, GuardCriterionName, Mask, PruneTarget, Verdict } from './types.ts';

export interface CriterionOptions {
  criterion: GuardCriterionName;
  requireNarc?: boolean;
  perGate?: boolean;
  /** Fraction in (0, 1] of the full left and of the full right vertex set that must stay non-isolated. */
  minCoverage?: number;
}

export const CRITERIA: readonly GuardCriterionName[] = ['delta-r', 'imdb', 'delta-s'];

const SYMBOL: Record<GuardCriterionName, string> = { 'delta-r': 'Δr', imdb: 'IMDB', 'delta-s': 'Δs' };

export function criterionValue(g: GraphMetrics, c: GuardCriterionName): number | null {
  return c === 'delta-r' ? g.deltaR : c === 'imdb' ? g.imdb : g.deltaS;
}

export function graphLabel(t: PruneTarget, view: string, direction: number): string {
  const dir = t.directions > 1 ? ` dir ${direction}` : '';
  const gate = view === 'stacked' ? '' : ` gate ${view}`;
  return `${t.layer} ${t.graph}${dir}${gate}`;
}

function why(g: GraphMetrics, o: CriterionOptions, value: number | null, ok: boolean | null): string {
  const sym = SYMBOL[o.criterion];
  if (value === null) {
    const d = (x: number | null) => (x === null ? '—' : x.toFixed(2));
    if (o.criterion === 'delta-r') return `${sym} undefined (average degrees dL = ${d(g.dL)}, dR = ${d(g.dR)}; both must be ≥ 3)`;
    if (o.criterion === 'imdb') return `${sym} undefined (no degree group of ≥ 3 left vertices with degrees ≥ 3)`;
    return `${sym} undefined (μ0 < 1)`;
  }
  if (value < 0) return `${sym} = ${value.toFixed(4)} < 0`;
  if (ok === false && o.requireNarc) return `NaRC = ${g.narc === null ? 'undefined' : g.narc.toFixed(4)} ≤ 0 (indistinguishable from random)`;
  return `${sym} = ${value.toFixed(4)} fails`;
}

function uncovered(g: GraphMetrics, v: { rows: number; cols: number }, min: number): string {
  return `coverage below ${min}: ${g.nL} of ${v.cols} inputs and ${g.nR} of ${v.rows} outputs keep an edge`;
}

export function spectralCriterion(o: CriterionOptions): Criterion {
  return (t: PruneTarget, mask: Mask): Verdict => {
    const graphs: GraphVerdict[] = [];
    let pass = true;
    let value: number | null = Infinity;
    let reason: string | undefined;
    for (const v of maskViews(t, mask, o.perGate ?? false)) {
      // Only what the verdict needs: no weighted forms, IMDB only when it is the criterion.
      const g = graphMetrics(v, { weighted: false, imdb: o.criterion === 'imdb' });
      const val = criterionValue(g, o.criterion);
      const covL = g.nL / v.cols, covR = g.nR / v.rows;
      const covered = !o.minCoverage || (covL >= o.minCoverage && covR >= o.minCoverage);
      const ramanujan = isRamanujan(g, o.criterion, o.requireNarc ?? false) === true;
      const ok = ramanujan && covered;
      graphs.push({ view: v.view, direction: v.direction, value: val, pass: ok, narc: g.narc, coverage: Math.min(covL, covR) });
      if (value !== null) value = val === null ? null : Math.min(value, val);
      if (!ok && pass) {
        pass = false;
        reason = `${graphLabel(t, v.view, v.direction)}: ${ramanujan ? uncovered(g, v, o.minCoverage!) : why(g, o, val, false)}`;
      }
    }
    return { pass, value: value === Infinity ? null : value, graphs, reason };
  };
}
