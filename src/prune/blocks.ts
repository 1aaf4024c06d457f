// Block geometry: which element of a prunable weight belongs to which block, for a
// block shape R×C and a layout. The one definition that pruning (block masks),
// `rampart analyze --block` (quotient graphs) and the benches use.
//
// Matrix layout as everywhere in src/prune: per direction a row-major [rows =
// outputs, cols = inputs] matrix. A block is R rows × C columns: R×1 is R output
// rows sharing one input column, 1×C is C consecutive inputs of one output.
// - Rows never straddle a *segment*: a gate's H rows (LSTM/GRU; RNN has one gate),
//   a conv group's Cout/group output channels, or the whole matrix otherwise.
// - `contiguous` layout: R consecutive rows of a segment.
// - `gate-fused` layout (gated recurrent weights): the G gates of the same R/G
//   consecutive units share a block, i.e. a block's rows are {k + g·H} for g over the
//   gates and k over R/G consecutive units (R must be a multiple of G). Weights
//   without gates (Gemm, Conv, RNN) use the contiguous rule.
// - Columns: runs of C consecutive columns (Conv: of Cin/group·kh·kw, flattened
//   [cin][kh][kw]; the compact storage never crosses a group).
// - Edges: when a segment is not a multiple of R (or cols of C), the last block of
//   it is smaller. Never refused; scores are normalised by block size (blockScores).
// Block ids: (direction · rowGroups + rowGroup) · colRuns + colRun.
import { RampartError } from '../../runtime/errors.ts';
import type { PrunableWeight } from '../ir/layers.ts';
import { countFor, elementPlan, maskFromOrder, snapCount, type PrunePlan } from './rank.ts';
import { magnitude } from './scorers/magnitude.ts';
import type { BlockReduce, Mask, Scores } from './types.ts';

export type { BlockReduce };

export type BlockLayout = 'contiguous' | 'gate-fused';
export const BLOCK_LAYOUTS: readonly BlockLayout[] = ['contiguous', 'gate-fused'];

export interface BlockShape {
  /** Consecutive output rows per block (R). */
  rows: number;
  /** Consecutive input columns per block (C). */
  cols: number;
  layout: BlockLayout;
}

/** 1×1: today's unstructured pruning. */
export const UNSTRUCTURED: BlockShape = { rows: 1, cols: 1, layout: 'contiguous' };

export function isUnstructured(s: BlockShape | undefined): boolean {
  return !s || (s.rows === 1 && s.cols === 1);
}

/** "8x1", "1x4", "16X1" or "8×1"; R, C ≥ 1. */
export function parseBlockShape(s: string, layout: string = 'contiguous', flag = '--block'): BlockShape {
  const m = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(s);
  const rows = m ? Number(m[1]) : NaN, cols = m ? Number(m[2]) : NaN;
  if (!(rows >= 1 && cols >= 1)) throw new RampartError(`${flag} ${s}`, { expected: 'RxC with integers R, C ≥ 1, e.g. 8x1 or 1x4' });
  if (!(BLOCK_LAYOUTS as string[]).includes(layout)) throw new RampartError(`--block-layout ${layout}`, { expected: BLOCK_LAYOUTS.join(' | ') });
  return { rows, cols, layout: layout as BlockLayout };
}

export function blockLabel(s: BlockShape): string {
  return `${s.rows}x${s.cols}${s.layout === 'contiguous' ? '' : ` ${s.layout}`}`;
}

/** What the geometry needs of a prunable weight (a PruneTarget is one). */
export type BlockGeometry = Pick<PrunableWeight, 'layer' | 'op' | 'directions' | 'rows' | 'cols' | 'gates' | 'hidden' | 'groups'>;

export interface BlockPartition {
  shape: BlockShape;
  directions: number;
  rows: number;
  cols: number;
  /** Row → its row group (the same in every direction). */
  rowGroupOf: Int32Array;
  /** Rows of each row group, ascending. */
  rowGroups: Int32Array[];
  /** Conv `group` (1 elsewhere): the quotient of a grouped conv is block-diagonal too. */
  convGroups: number;
  /** Column runs per row: run k is [k·C, min((k+1)·C, cols)). */
  colRuns: number;
  /** Blocks over all directions. */
  count: number;
}

/** Rows that a block never straddles: a gate's H rows, a conv group's output channels, else all. */
function segmentLength(w: BlockGeometry): number {
  if (w.hidden !== null) return w.hidden;
  if (w.groups > 1) return w.rows / w.groups;
  return w.rows;
}

export function blockPartition(w: BlockGeometry, shape: BlockShape): BlockPartition {
  const { rows: R, cols: C } = shape;
  if (!(Number.isInteger(R) && Number.isInteger(C) && R >= 1 && C >= 1)) {
    throw new RampartError(`block ${R}x${C}`, { node: w.layer, op: w.op, expected: 'integers R, C ≥ 1' });
  }
  const seg = segmentLength(w);
  const segments = w.rows / seg;
  const rowGroups: Int32Array[] = [];
  const gates = w.gates?.length ?? 1;
  if (shape.layout === 'gate-fused' && gates > 1) {
    if (R % gates !== 0) {
      throw new RampartError(`block ${R}x${C} gate-fused`, { node: w.layer, op: w.op, expected: `R a multiple of the ${gates} gates (${w.gates!.join(', ')})` });
    }
    const units = R / gates;
    for (let k0 = 0; k0 < seg; k0 += units) {
      const k1 = Math.min(k0 + units, seg);
      const g = new Int32Array(gates * (k1 - k0));
      let p = 0;
      for (let gate = 0; gate < gates; gate++) for (let k = k0; k < k1; k++) g[p++] = gate * seg + k;
      rowGroups.push(g);
    }
  } else {
    for (let s = 0; s < segments; s++) {
      for (let r0 = s * seg; r0 < (s + 1) * seg; r0 += R) {
        const r1 = Math.min(r0 + R, (s + 1) * seg);
        rowGroups.push(Int32Array.from({ length: r1 - r0 }, (_, i) => r0 + i));
      }
    }
  }
  const rowGroupOf = new Int32Array(w.rows);
  rowGroups.forEach((g, i) => g.forEach((r) => (rowGroupOf[r] = i)));
  const colRuns = Math.ceil(w.cols / C);
  return {
    shape, directions: w.directions, rows: w.rows, cols: w.cols, rowGroupOf, rowGroups,
    convGroups: w.groups, colRuns, count: w.directions * rowGroups.length * colRuns,
  };
}

/**
 * Whether one block can isolate a vertex on its own: a block row holding every row an
 * input column reaches (R ≥ the rows of a layer without gates, or of a conv group's
 * channels; gate-fused R/G ≥ H) makes each pruned block an input cut off whole, and one
 * column run holding every input of a row (C ≥ cols) an output cut off whole. The
 * guard's coverage rule (criterion.ts) is what keeps such layers from losing most of
 * their inputs (outputs) at once.
 */
export function wholeCuts(p: BlockPartition): { inputs: boolean; outputs: boolean } {
  const reach = p.rows / p.convGroups;
  return { inputs: p.rowGroups.some((g) => g.length >= reach), outputs: p.colRuns === 1 };
}

/** Element index (matrix layout over all directions) → block id. */
export function blockOfElements(p: BlockPartition): Int32Array {
  const per = p.rows * p.cols;
  const out = new Int32Array(p.directions * per);
  const G = p.rowGroups.length;
  for (let d = 0; d < p.directions; d++) {
    for (let r = 0; r < p.rows; r++) {
      const base = (d * G + p.rowGroupOf[r]) * p.colRuns;
      const o = d * per + r * p.cols;
      for (let c = 0; c < p.cols; c++) out[o + c] = base + Math.floor(c / p.shape.cols);
    }
  }
  return out;
}

/** Calls `f(element)` for every element of block `b`, rows ascending, then columns. */
export function forEachInBlock(p: BlockPartition, b: number, f: (element: number) => void): void {
  const G = p.rowGroups.length;
  const k = b % p.colRuns;
  const g = Math.floor(b / p.colRuns) % G;
  const d = Math.floor(b / (p.colRuns * G));
  const c0 = k * p.shape.cols, c1 = Math.min(c0 + p.shape.cols, p.cols);
  const off = d * p.rows * p.cols;
  for (const r of p.rowGroups[g]) for (let c = c0; c < c1; c++) f(off + r * p.cols + c);
}

/**
 * A block's score from its elements' scores, normalised so that edge
 * blocks (smaller than R×C) compete fairly with whole ones (docs/design/prune.md):
 * - 'rms': √(Σ s²/k), the block's L2 norm with the size correction 1/√k. Ranking by it
 *   is ranking by mean square, the energy a block removes per weight it prunes;
 * - 'mean': Σ s/k, for additive saliencies (SNIP, GraSP, SynFlow: a set's estimated
 *   effect is the sum of its elements'), per weight pruned;
 * - 'normal': Σ s/√k, for i.i.d. N(0,1) scores (random): every block, edge or not, is
 *   then a standard normal draw, so blocks are ranked uniformly at random.
 */
export function blockScores(p: BlockPartition, scores: ArrayLike<number>, reduce: BlockReduce, blockOf = blockOfElements(p)): Float64Array {
  const sum = new Float64Array(p.count);
  const size = new Float64Array(p.count);
  for (let i = 0; i < blockOf.length; i++) {
    const s = scores[i];
    sum[blockOf[i]] += reduce === 'rms' ? s * s : s;
    size[blockOf[i]]++;
  }
  for (let b = 0; b < p.count; b++) {
    const k = size[b];
    sum[b] = reduce === 'rms' ? Math.sqrt(sum[b] / k) : reduce === 'mean' ? sum[b] / k : sum[b] / Math.sqrt(k);
  }
  return sum;
}

/**
 * Block pruning order: blocks by ascending reduced score (ties by block id), each
 * block's still-kept weights together; weights already pruned first, and a block
 * with nothing left to prune adds no level. The grid is the pruned count after each
 * block, so a mask at a grid count is whole blocks (plus what was pruned before).
 */
export function blockPlan(p: BlockPartition, scores: Scores, reduce: BlockReduce, prev?: Mask): PrunePlan {
  const blockOf = blockOfElements(p);
  const bs = blockScores(p, scores, reduce, blockOf);
  const n = blockOf.length;
  const fresh = new Int32Array(p.count);
  let before = 0;
  for (let i = 0; i < n; i++) {
    if (!prev || prev[i]) fresh[blockOf[i]]++;
    else before++;
  }
  const key = Float64Array.from(bs, (s, b) => (fresh[b] === 0 ? -Infinity : Number.isNaN(s) ? -Number.MAX_VALUE : s));
  const ids = Int32Array.from({ length: p.count }, (_, b) => b);
  ids.sort((a, b) => (key[a] - key[b]) || (a - b));
  const order = new Int32Array(n);
  let o = 0;
  if (prev) for (let i = 0; i < n; i++) if (!prev[i]) order[o++] = i;
  const grid = [before];
  const keys: number[] = [], sizes: number[] = [];
  if (before > 0) { keys.push(-Infinity); sizes.push(before); }
  for (const b of ids) {
    if (fresh[b] === 0) continue;
    forEachInBlock(p, b, (e) => { if (!prev || prev[e]) order[o++] = e; });
    grid.push(grid[grid.length - 1] + fresh[b]);
    keys.push(key[b]);
    sizes.push(fresh[b]);
  }
  return { order, grid: Int32Array.from(grid), keys: Float64Array.from(keys), sizes: Int32Array.from(sizes) };
}

/** The plan of one target: per weight for 1×1, per block otherwise. */
export function planFor(w: BlockGeometry, scores: Scores, prev: Mask | undefined, shape: BlockShape | undefined, reduce: BlockReduce): PrunePlan {
  return isUnstructured(shape) ? elementPlan(scores, prev) : blockPlan(blockPartition(w, shape!), scores, reduce, prev);
}

/**
 * The mask `rampart prune` would make for one target at `sparsity` on its own:
 * whole blocks by the scorer's reduction (default: magnitude, |w| by RMS), the
 * pruned count nearest to round(sparsity·n) that ends on a block, weights already
 * zero staying pruned. For `analyze --block --at` and the evidence bench.
 */
export function blockMaskAt(
  t: BlockGeometry & { weights: Float32Array }, sparsity: number, shape: BlockShape,
  opts: { scores?: Scores; reduce?: BlockReduce; prev?: Mask } = {},
): Mask {
  const scores = opts.scores ?? Float32Array.from(t.weights, Math.abs);
  const prev = opts.prev ?? Uint8Array.from(t.weights, (w) => (w !== 0 ? 1 : 0));
  const plan = planFor(t, scores, prev, shape, opts.reduce ?? magnitude.blockReduce);
  let lo = 0;
  for (const b of prev) lo += b ? 0 : 1;
  return maskFromOrder(plan.order, snapCount(plan.grid, Math.max(lo, countFor(sparsity, plan.order.length))));
}
