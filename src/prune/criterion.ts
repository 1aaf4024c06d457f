// The spectral guard's criterion (SPECTRAL.md §4): a mask of a target passes when
// the chosen quantity — Δr (default), IMDB or Δs — is ≥ 0 on every graph that gates
// the verdict: the stacked graph of each direction, plus each gate's graph when
// `perGate` is set, optionally with NaRC > 0 as well. A quantity that is undefined
// (Δr needs average degrees ≥ 3 on both sides) fails: the guard cannot vouch for it.
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
      const ok = isRamanujan(g, o.criterion, o.requireNarc ?? false);
      graphs.push({ view: v.view, direction: v.direction, value: val, pass: ok === true, narc: g.narc });
      if (value !== null) value = val === null ? null : Math.min(value, val);
      if (ok !== true && pass) {
        pass = false;
        reason = `${graphLabel(t, v.view, v.direction)}: ${why(g, o, val, ok)}`;
      }
    }
    return { pass, value: value === Infinity ? null : value, graphs, reason };
  };
}
