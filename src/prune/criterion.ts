// The spectral guard's criterion (SPECTRAL.md §4): a mask of a target passes when
// the chosen quantity — Δr (default), IMDB or Δs — is ≥ 0 on every graph that gates
// the verdict: the stacked graph of each direction, plus each gate's graph when
// `perGate` is set, optionally with NaRC > 0 as well. A quantity that is undefined
// (Δr needs average degrees ≥ 3 on both sides) fails: the guard cannot vouch for it.
//
// Coverage (on by default): Δr, Δs and IMDB are computed after dropping isolated
// vertices (SPECTRAL.md §2), so a mask that keeps one small dense block of a layer
// and nothing else passes them — a perfect expander on 3 of 128 inputs. An isolated
// input is an input the layer no longer reads, an isolated output one it no longer
// computes: a loss of expansion the quantities cannot see. So each gating graph must
// also keep at least `minCoverage` of its full left (input) and of its full right
// (output) vertex set non-isolated; 0 turns the rule off. The default (0.5) is
// measured: docs/design/prune.md.
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
  /** Fraction in [0, 1] of the full left and of the full right vertex set that must stay non-isolated (default DEFAULT_MIN_COVERAGE; 0: off). */
  minCoverage?: number;
}

/**
 * At most half of a graph's inputs, and at most half of its outputs, may be isolated.
 * On the zoo models the guard's unstructured magnitude (and random) masks keep at
 * least 0.67 at their Δr limits, so this moves none of them; the degenerate masks
 * it exists for keep 0.02-0.11 (SNIP and SynFlow on the LSTM's W, 16×1 blocks on a
 * 10-row head). docs/design/prune.md has the table.
 */
export const DEFAULT_MIN_COVERAGE = 0.5;

export const CRITERIA: readonly GuardCriterionName[] = ['delta-r', 'imdb', 'delta-s'];

/** How each criterion is written in words and on charts. */
export const CRITERION_SYMBOL: Record<GuardCriterionName, string> = { 'delta-r': 'Δr', imdb: 'IMDB', 'delta-s': 'Δs' };

export function criterionValue(g: GraphMetrics, c: GuardCriterionName): number | null {
  return c === 'delta-r' ? g.deltaR : c === 'imdb' ? g.imdb : g.deltaS;
}

export function graphLabel(t: PruneTarget, view: string, direction: number): string {
  const dir = t.directions > 1 ? ` dir ${direction}` : '';
  const gate = view === 'stacked' ? '' : ` gate ${view}`;
  return `${t.layer} ${t.graph}${dir}${gate}`;
}

function why(g: GraphMetrics, o: CriterionOptions, value: number | null, ok: boolean | null): string {
  const sym = CRITERION_SYMBOL[o.criterion];
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
  return `coverage below ${min}: ${g.nL} of ${v.cols} inputs and ${g.nR} of ${v.rows} outputs keep an edge (--min-coverage 0 turns this off)`;
}

export function spectralCriterion(o: CriterionOptions): Criterion {
  const minCoverage = o.minCoverage ?? DEFAULT_MIN_COVERAGE;
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
      const covered = covL >= minCoverage && covR >= minCoverage;
      const ramanujan = isRamanujan(g, o.criterion, o.requireNarc ?? false) === true;
      const ok = ramanujan && covered;
      graphs.push({ view: v.view, direction: v.direction, value: val, pass: ok, narc: g.narc, coverage: Math.min(covL, covR), inputs: g.nL, outputs: g.nR });
      if (value !== null) value = val === null ? null : Math.min(value, val);
      if (!ok && pass) {
        pass = false;
        reason = `${graphLabel(t, v.view, v.direction)}: ${ramanujan ? uncovered(g, v, minCoverage) : why(g, o, val, false)}`;
      }
    }
    return { pass, value: value === Infinity ? null : value, graphs, reason };
  };
}
