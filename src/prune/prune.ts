// The pruning pass: score, allocate the budget under the guard, mask; repeated over
// rounds for iterative methods (SynFlow, IMP). It returns the pruned model with
// what it did and what the guard refused, per target, in words.
//
// One shot (magnitude, random, ERK, SNIP, GraSP): the guard first searches each
// target's limit on the masks its scores give (guard.ts), the limits cap the
// allocation, and budget a capped target cannot take moves to the others.
// Iterative (SynFlow, IMP): the guard is each target's stopping criterion — when a
// round would take a target to a failing mask, its highest passing level between
// where it was and where it was going (on this round's scores) is where it stops.
//
// Block pruning (`block`, blocks.ts) changes only the units: each round's scores
// are reduced per block, a target's prune order lists whole blocks, and every count
// the allocation, the guard's search and the rounds use is snapped to the counts
// that end on a block (its grid). Counts stay in weights.
import type { Model } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { allocateGlobal, allocateLayerwise, type Bounds } from './allocate.ts';
import { blockLabel, blockOfElements, blockPartition, isUnstructured, planFor, UNSTRUCTURED, wholeCuts, type BlockShape } from './blocks.ts';
import { erkAllocate } from './erk.ts';
import type { GradientOracle } from './gradients.ts';
import { fmt, searchLimit, type SearchOptions } from './guard.ts';
import { silent, type Progress } from './progress.ts';
import { capCount, countFor, maskFromOrder, snapCount } from './rank.ts';
import { scheduleSparsity, type ScheduleKind } from './schedule.ts';
import { isMethod, METHOD_NAMES, METHODS, type MethodName } from './scorers/index.ts';
import { applyMasks, currentMasks, prunedCount, pruneTargets, refreshWeights } from './targets.ts';
import { targetSize, type Batch, type Criterion, type CurvePoint, type Mask, type PerGraph, type PruneTarget, type Verdict } from './types.ts';

export type Scope = 'global' | 'layer';

export interface PruneOptions {
  method: MethodName;
  /** Fraction of weights removed over the targets without a fixed rate, or 'auto': every target to its guard limit. */
  sparsity: number | 'auto';
  scope?: Scope;
  /** The guard (criterion.ts builds the spectral one); null prunes unguarded. */
  criterion: Criterion | null;
  /** Highest sparsity any target of a class may reach (e.g. { R: 0.8 }). */
  caps?: PerGraph<number>;
  /** Fixed sparsity of a class (e.g. { R: 0 } prunes W only); outside the budget of `sparsity`. */
  rates?: PerGraph<number>;
  /** Fixed sparsity of single targets by initializer name (over `rates`; outside the budget). --max-drop's candidates. */
  targetRates?: Record<string, number>;
  /** Block shape and layout of the masks (default 1×1: unstructured). */
  block?: BlockShape;
  /** Rounds (default: the method's, e.g. SynFlow 100, IMP 5, others 1). */
  rounds?: number;
  schedule?: ScheduleKind;
  /** ERK's scores inside its layer densities: random (RigL) or magnitude. */
  erkScores?: 'random' | 'magnitude';
  search?: SearchOptions;
  seed?: number;
  batch?: Batch;
  onesShape?: number[];
  gradients?: GradientOracle;
  /** IMP: fine-tunes the masked model between rounds, keeping pruned weights at zero. */
  finetune?: (model: Model, targets: PruneTarget[], masks: Mask[], round: number) => Promise<Model>;
  progress?: Progress;
}

export interface TargetReport {
  name: string;
  layer: string;
  op: string;
  graph: PruneTarget['graph'];
  size: number;
  sparsityBefore: number;
  sparsity: number;
  /** The guard's limit (one shot: the searched limit; iterative: where the target stopped); null without a guard. */
  limit: number | null;
  curve: CurvePoint[];
  /** The guard's verdict on the final mask. */
  verdict: Verdict | null;
  /** Block pruning: blocks of the target and how many are wholly zero; null for 1×1. */
  blocks: { total: number; pruned: number } | null;
  /** What bounded this target, in words. */
  notes: string[];
}

export interface PruneResult {
  model: Model;
  targets: PruneTarget[];
  masks: Mask[];
  report: TargetReport[];
  requested: number | 'auto';
  /** Block shape and layout of the masks (1×1: unstructured). */
  block: BlockShape;
  /** Sparsity over all targets. */
  achieved: number;
  /** Sparsity over the targets in the budget (those without a fixed rate). */
  achievedBudget: number;
  met: boolean;
  rounds: number;
  notes: string[];
}

const MAX_SPARSITY_DEFAULT = 0.99;

function checkFraction(what: string, x: number | undefined): void {
  if (x !== undefined && !(x >= 0 && x <= 1)) throw new RampartError(`${what} ${x}`, { expected: 'a fraction in [0, 1]' });
}

/** Wholly zero blocks of a mask. */
function prunedBlocks(t: PruneTarget, mask: Mask, shape: BlockShape): { total: number; pruned: number } {
  const p = blockPartition(t, shape);
  const kept = new Uint8Array(p.count);
  const of = blockOfElements(p);
  for (let i = 0; i < of.length; i++) if (mask[i]) kept[of[i]] = 1;
  return { total: p.count, pruned: p.count - kept.reduce((a, b) => a + b, 0) };
}

export async function prune(model: Model, o: PruneOptions): Promise<PruneResult> {
  const progress = o.progress ?? silent;
  const scope = o.scope ?? 'global';
  if (!isMethod(o.method)) throw new RampartError(`unknown pruning method '${o.method}'`, { expected: METHOD_NAMES.join(', ') });
  const method = METHODS[o.method];
  const scorer = method.scorer(o);
  const rounds = o.rounds ?? method.defaultRounds;
  const block = o.block ?? UNSTRUCTURED;
  const schedule = o.schedule ?? 'exponential';
  const maxS = o.search?.max ?? MAX_SPARSITY_DEFAULT;
  const guard = o.criterion;
  const auto = o.sparsity === 'auto';
  if (auto && !guard) throw new RampartError('--sparsity auto takes every layer to its guard limit, so it needs a guard', { expected: 'a guard other than none, or a numeric sparsity' });
  if (auto && method.allocation === 'erk') throw new RampartError('ERK distributes a global density, so it needs a numeric sparsity', { expected: '--sparsity X' });
  if (!auto) checkFraction('sparsity', o.sparsity as number);
  for (const k of ['weight', 'W', 'R'] as const) {
    checkFraction(`${k} cap`, o.caps?.[k]);
    checkFraction(`${k} rate`, o.rates?.[k]);
  }
  for (const [k, x] of Object.entries(o.targetRates ?? {})) checkFraction(`rate of '${k}'`, x);
  if (!Number.isInteger(rounds) || rounds < 1) throw new RampartError(`rounds ${rounds}`, { expected: 'a positive integer' });

  let targets = pruneTargets(model);
  if (targets.length === 0) throw new RampartError('the model has no prunable weights', { expected: 'Gemm, MatMul, Conv, RNN, GRU or LSTM weights held as initializers' });
  const n = targets.map(targetSize);
  let masks = currentMasks(targets);
  const before = masks.map((m) => prunedCount(m));
  const fixedRate = targets.map((t) => o.targetRates?.[t.name] ?? o.rates?.[t.graph]);
  const classCap = targets.map((t) => Math.min(o.caps?.[t.graph] ?? 1, maxS));
  const free = targets.map((_, i) => fixedRate[i] === undefined);
  const nFree = n.reduce((s, x, i) => s + (free[i] ? x : 0), 0);
  const initial = nFree ? before.reduce((s, x, i) => s + (free[i] ? x : 0), 0) / nFree : 0;
  const final = auto ? maxS : (o.sparsity as number);
  const reports: TargetReport[] = targets.map((t, i) => ({
    name: t.name, layer: t.layer, op: t.op, graph: t.graph, size: n[i],
    sparsityBefore: before[i] / n[i], sparsity: 0, limit: null, curve: [], verdict: null, blocks: null, notes: [],
  }));
  const notes: string[] = [];
  const frozen = targets.map(() => false);
  let met = true;

  if (rounds > 1) progress.start(`${o.method} rounds`, rounds);
  for (let r = 0; r < rounds; r++) {
    const current = applyMasks(model, targets, masks);
    const scores = await scorer.score({
      model: current, targets: refreshWeights(current, targets), masks, batch: o.batch, onesShape: o.onesShape, gradients: o.gradients, seed: o.seed ?? 0, round: r,
    });
    const plans = scores.map((s, i) => planFor(targets[i], s, masks[i], block, scorer.blockReduce));
    const grids = plans.map((p) => p.grid);
    const lo = masks.map((m) => prunedCount(m));
    const sRound = scheduleSparsity(schedule, r, rounds, final, initial);
    const bounds: Bounds[] = targets.map((t, i) => {
      if (frozen[i]) return { lo: lo[i], hi: lo[i] };
      const rate = fixedRate[i];
      if (rate !== undefined) {
        const s = scheduleSparsity(schedule, r, rounds, Math.min(rate, classCap[i]), Math.min(before[i] / n[i], rate));
        const c = Math.max(lo[i], snapCount(grids[i], countFor(s, n[i])));
        return { lo: c, hi: c };
      }
      return { lo: lo[i], hi: Math.max(lo[i], snapCount(grids[i], capCount(classCap[i], n[i]), 'down')) };
    });
    fixedRate.forEach((rate, i) => {
      if (r === 0 && rate !== undefined && rate > classCap[i]) reports[i].notes.push(`fixed rate ${rate} exceeds the ${targets[i].graph} cap ${classCap[i]}; capped`);
    });

    // One shot: search every limit up front so the allocation can move budget.
    const evalAt = (i: number) => (count: number) => guard!(targets[i], maskFromOrder(plans[i].order, count));
    if (guard && rounds === 1) {
      progress.start('guard search', targets.length);
      targets.forEach((t, i) => {
        if (bounds[i].hi <= lo[i]) {
          progress.tick(1, t.name);
          return;
        }
        const g = searchLimit(evalAt(i), n[i], { ...o.search, min: lo[i] / n[i], max: Math.max(lo[i], bounds[i].hi) / n[i], grid: grids[i] });
        reports[i].limit = g.limit;
        reports[i].curve = g.curve;
        reports[i].notes.push(`guard: ${g.reason}`);
        const c = countFor(g.limit, n[i]);
        if (c < bounds[i].hi) {
          if (fixedRate[i] !== undefined) reports[i].notes.push(`fixed rate lowered to the guard limit ${fmt(g.limit)}`);
          bounds[i] = { lo: Math.min(bounds[i].lo, c), hi: c };
          if (fixedRate[i] !== undefined) bounds[i].lo = c;
        }
        progress.tick(1, t.name);
      });
      progress.stop();
    }

    // Allocate; then verify each mask with the guard and bound the failures (the
    // criterion is not monotone, so a count under a limit can still fail).
    let counts: number[] = [];
    for (;;) {
      const total = auto ? -1 : countFor(sRound, nFree) + bounds.reduce((s, b, i) => s + (free[i] ? 0 : b.lo), 0);
      if (auto) counts = bounds.map((b) => b.hi);
      else {
        const alloc = method.allocation === 'erk'
          ? erkAllocate(targets, bounds, total, grids)
          : scope === 'global'
            ? allocateGlobal(plans.map((p) => p.keys), bounds, total, plans.map((p) => p.sizes))
            : allocateLayerwise(n, bounds, total, grids);
        counts = alloc.counts;
        met = alloc.met;
      }
      if (!guard) break;
      let changed = false;
      for (let i = 0; i < targets.length; i++) {
        if (frozen[i] || counts[i] <= lo[i]) continue;
        const v = evalAt(i)(counts[i]);
        if (v.pass) continue;
        changed = true;
        if (rounds === 1) {
          // Below its limit but failing (the curve dips): the highest passing level under the allocation.
          const g = searchLimit(evalAt(i), n[i], { ...o.search, min: lo[i] / n[i], max: (counts[i] - 1) / n[i], grid: grids[i] });
          const c = countFor(g.limit, n[i]);
          reports[i].curve.push(...g.curve);
          reports[i].notes.push(`allocated ${fmt(counts[i] / n[i])} fails (${v.reason ?? 'guard'}); lowered to ${fmt(c / n[i])}`);
          bounds[i] = { lo: Math.min(bounds[i].lo, c), hi: c };
          if (fixedRate[i] !== undefined) bounds[i].lo = c;
        } else {
          const g = searchLimit(evalAt(i), n[i], { ...o.search, min: lo[i] / n[i], max: counts[i] / n[i], grid: grids[i] });
          const c = countFor(g.limit, n[i]);
          reports[i].limit = c / n[i];
          reports[i].curve.push(...g.curve);
          reports[i].notes.push(`stopped in round ${r + 1}/${rounds} at ${fmt(c / n[i])}: going to ${fmt(counts[i] / n[i])} fails (${v.reason ?? 'guard'})`);
          frozen[i] = true;
          bounds[i] = { lo: Math.max(lo[i], Math.min(c, bounds[i].hi)), hi: Math.max(lo[i], Math.min(c, bounds[i].hi)) };
        }
      }
      if (!changed) break;
    }
    masks = masks.map((m, i) => (counts[i] === lo[i] ? m : maskFromOrder(plans[i].order, counts[i])));

    if (method.finetunesBetweenRounds && o.finetune && r < rounds - 1) {
      const tuned = await o.finetune(applyMasks(model, targets, masks), targets, masks, r);
      model = tuned;
      targets = refreshWeights(model, targets);
    } else if (method.finetunesBetweenRounds && !o.finetune && r === 0 && rounds > 1) {
      notes.push(`${o.method} ran without fine-tuning between rounds (no data given): it is iterative ${scorer.name} pruning only`);
    }
    if (rounds > 1) progress.tick(1, `${fmt(counts.reduce((a, b) => a + b, 0) / n.reduce((a, b) => a + b, 0))}`);
  }
  if (rounds > 1) progress.stop();

  const pruned = applyMasks(model, targets, masks);
  const finalTargets = refreshWeights(pruned, targets);
  const counts = masks.map((m) => prunedCount(m));
  counts.forEach((c, i) => {
    reports[i].sparsity = c / n[i];
    if (guard) reports[i].verdict = guard(finalTargets[i], masks[i]);
    if (guard && rounds > 1 && !frozen[i] && c > before[i]) reports[i].notes.push(`passed every round; the guard never stopped it (final ${fmt(c / n[i])})`);
    if (reports[i].curve.length) reports[i].curve.sort((a, b) => a.sparsity - b.sparsity);
    if (!isUnstructured(block)) {
      reports[i].blocks = prunedBlocks(finalTargets[i], masks[i], block);
      const t = targets[i];
      const cut = wholeCuts(blockPartition(t, block));
      const what = [cut.inputs ? `all ${t.rows / t.groups} rows (a pruned block cuts an input off)` : '', cut.outputs ? `all ${t.cols} columns (a pruned block cuts an output off)` : ''].filter(Boolean);
      if (what.length) reports[i].notes.push(`${blockLabel(block)} blocks span ${what.join(' and ')}${guard ? "; the guard's coverage rule counts those vertices" : ''}`);
    }
  });
  if (!isUnstructured(block)) notes.push(`block ${blockLabel(block)}: masks are whole blocks; each count ends on a block, so a target lands within one block of its allocation`);
  const N = n.reduce((a, b) => a + b, 0);
  const achieved = counts.reduce((a, b) => a + b, 0) / N;
  const achievedBudget = nFree ? counts.reduce((s, c, i) => s + (free[i] ? c : 0), 0) / nFree : 0;
  if (!auto && !met) {
    notes.push(`the target sparsity ${o.sparsity} cannot be met${guard ? ' under the guard' : ''}${Object.keys(o.caps ?? {}).length ? ' and the caps' : ''}: reached ${fmt(achievedBudget)}`);
  }
  return { model: pruned, targets: finalTargets, masks, report: reports, requested: o.sparsity, block, achieved, achievedBudget, met: auto || met, rounds, notes };
}
