// Weight matrices as static const arrays, in the storage targets/c/storage.ts picks for
// each matrix (each row part of one): dense row-major float; CSR (float values, uint16_t
// column indices when cols <= 65536 else int32_t, uint16_t row pointers when nnz <=
// 65535 else int32_t); or block-CSR in the layout of runtime/bsr.ts (values, block
// columns and block pointers under the same index rules, and an int16_t row map only
// when the row order is not natural). Each matrix is reached through one `rp_mv_fn`.
import type { Node } from '../../runtime/ir.ts';
import { csrFromDense } from '../../runtime/csr.ts';
import { bsrFromCsr } from '../../runtime/bsr.ts';
import type { LayerReport } from '../types.ts';
import { C_INDEX_TYPE, type IndexType } from './clib/index.ts';
import { bsrMvName, ROW_MAP_C, rowMapType, type RowMapType } from './clib/bsr.ts';
import type { CModule, CType } from './module.ts';
import type { ResolvedOptions } from './options.ts';
import { colType, planMatrix, ptrType, storageName, type MatrixPlan, type MatrixSpec, type PartPlan } from './storage.ts';

export type { MatrixSpec, MatrixPlan } from './storage.ts';

export interface BsrArrays {
  ptr: string;
  col: string;
  val: string;
  /** The row map, or null for a natural order (rows computed from seg and bps). */
  map: string | null;
  ci: IndexType;
  bp: IndexType;
  rm: RowMapType | null;
  br: number;
  bc: number;
  /** Block rows; per segment of seg rows (natural order). */
  nbr: number;
  seg: number;
  bps: number;
}

export interface PartArrays {
  plan: PartPlan;
  dense: string | null;
  csr: { rowptr: string; col: string; val: string; ci: IndexType; rp: IndexType } | null;
  bsr: BsrArrays | null;
}

export interface MatrixArrays {
  rows: number;
  cols: number;
  nnz: number;
  parts: PartArrays[];
  /** 'dense', 'CSR 410/4096', 'BSR 8x1 96 blocks', parts joined by ' + '. */
  summary: string;
}

const ctype = (t: IndexType) => C_INDEX_TYPE[t] as CType;

/**
 * Picks the storage of each of a layer's matrices (once per node: the streaming program
 * reuses the run program's choice) and records the LayerReport.
 */
export function decideLayer(mod: CModule, node: Node, mats: MatrixSpec[], opts: Pick<ResolvedOptions, 'maxDensity' | 'formats'>): MatrixPlan[] {
  return mod.cached(`plan:${node.name}`, () => {
    const plans = mats.map((m) => planMatrix(m, opts.maxDensity, opts.formats));
    const parts = plans.flatMap((p) => p.parts);
    const nnz = parts.reduce((a, p) => a + p.nnz, 0), total = parts.reduce((a, p) => a + p.rows * p.cols, 0);
    const kinds = new Set(parts.map((p) => p.storage.kind));
    const r: LayerReport = {
      layer: node.name, op: node.op, action: kinds.has('bsr') ? 'bsr' : kinds.has('csr') ? 'csr' : 'dense',
      density: total ? nnz / total : 1, denseBytes: 4 * total, storedBytes: parts.reduce((a, p) => a + p.bytes, 0),
      note: plans.map((p) => `${p.spec.label}: ${p.parts.map(describePart).join(' + ')}`).join('; '),
    };
    mod.report(r);
    return plans;
  });
}

function describePart(p: PartPlan): string {
  const s = p.storage;
  if (s.kind === 'dense') return 'dense';
  if (s.kind === 'csr') return `csr, ${p.nnz} nonzeros`;
  return `${storageName(p)}, ${s.blocks} blocks (${p.nnz} nonzeros)`;
}

function partSummary(p: PartPlan): string {
  const s = p.storage;
  if (s.kind === 'dense') return 'dense';
  if (s.kind === 'csr') return `CSR ${p.nnz}/${p.rows * p.cols}`;
  return `${storageName(p).replace('bsr', 'BSR')} ${s.blocks} blocks`;
}

function emitPart(mod: CModule, base: string, p: PartPlan, what: string): PartArrays {
  const { rows, cols, nnz, storage: s } = p;
  const out: PartArrays = { plan: p, dense: null, csr: null, bsr: null };
  if (s.kind === 'dense') {
    out.dense = mod.array(base, 'float', p.data, 'weight', `${what}: dense [${rows}, ${cols}]`);
    return out;
  }
  const m = csrFromDense(p.data, rows, cols);
  const pct = ((nnz / Math.max(1, rows * cols)) * 100).toFixed(1);
  if (s.kind === 'csr') {
    const ci = colType(cols), rp = ptrType(nnz);
    const val = mod.array(`${base}_val`, 'float', m.values, 'weight', `${what}: CSR [${rows}, ${cols}], ${nnz} nonzeros (${pct}%)`);
    const col = mod.array(`${base}_col`, ctype(ci), m.colIdx, 'index');
    const rowptr = mod.array(`${base}_rowptr`, ctype(rp), m.rowPtr, 'index');
    out.csr = { rowptr, col, val, ci, rp };
    return out;
  }
  const b = bsrFromCsr(m, s.br, s.bc, s.rowMap);
  const ci = colType(cols), bp = ptrType(s.blocks);
  const natural = s.layout === 'natural';
  const rm = natural ? null : rowMapType(rows);
  const val = mod.array(`${base}_val`, 'float', b.values, 'weight',
    `${what}: block CSR [${rows}, ${cols}] of ${storageName(p).replace('bsr ', '')} blocks, ${s.blocks} stored (${nnz} nonzeros, ${pct}%)`);
  const col = mod.array(`${base}_bcol`, ctype(ci), b.blockCol, 'index');
  const ptr = mod.array(`${base}_bptr`, ctype(bp), b.blockPtr, 'index');
  const map = rm ? mod.array(`${base}_rowmap`, ROW_MAP_C[rm] as CType, b.rowMap, 'index') : null;
  out.bsr = { ptr, col, val, map, ci, bp, rm, br: s.br, bc: s.bc, nbr: b.rowMap.length / s.br, seg: s.seg, bps: Math.ceil(s.seg / s.br) };
  return out;
}

/** Emits one matrix's arrays (a cached emission: the same node and role are emitted once per file). */
export function emitMatrix(mod: CModule, key: string, base: string, plan: MatrixPlan, what: string): MatrixArrays {
  return mod.cached(`matrix:${key}`, () => {
    const { spec } = plan;
    const multi = plan.parts.length > 1;
    const parts = plan.parts.map((p) => emitPart(mod, multi ? `${base}_r${p.row0}` : base, p,
      multi ? `${what}, rows ${p.row0}..${p.row0 + p.rows - 1}` : what));
    return {
      rows: spec.rows, cols: spec.cols, nnz: plan.parts.reduce((a, p) => a + p.nnz, 0), parts,
      summary: plan.parts.map(partSummary).join(' + '),
    };
  });
}

/** The kernel call that adds rows 0..rows-1 of a part times x to y (`y` and the row range are C text). */
function partCall(mod: CModule, a: PartArrays, r0: string, r1: string, y: string): string {
  if (a.dense) {
    mod.use('rp_dense_mv');
    return `rp_dense_mv(${a.dense}, ${a.plan.cols}, ${r0}, ${r1}, x, ${y});`;
  }
  if (a.csr) {
    const c = a.csr;
    mod.use(`rp_csr_mv_${c.ci}_${c.rp}`);
    return `rp_csr_mv_${c.ci}_${c.rp}(${c.rowptr}, ${c.col}, ${c.val}, ${r0}, ${r1}, x, ${y});`;
  }
  const b = a.bsr!;
  const fn = bsrMvName(b.br, b.bc, b.ci, b.bp, b.rm);
  mod.use(fn);
  const rows = b.map ? `${b.map}, ` : b.br > 1 ? `${b.seg}, ${b.bps}, ` : '';
  return `${fn}(${b.ptr}, ${b.col}, ${b.val}, ${rows}${b.nbr}, x, ${y});`;
}

/**
 * A `rp_mv_fn` over the matrix: `static void sym(int r0, int r1, const float *x, float *y)`,
 * y[r - r0] += M[r, :] . x. A dense or CSR matrix of one part takes any row range; a
 * block-CSR part is applied whole, so r0 and r1 must be part boundaries (the cells call
 * W and R over all rows, GRU's R over its z, r rows and its h rows: the split of its spec).
 */
export function mvFunction(mod: CModule, m: MatrixArrays, base: string): string {
  return mod.cached(`mv:${m.parts.map((p) => p.dense ?? p.csr?.val ?? p.bsr!.val).join()}`, () => {
    const sym = mod.symbol(`${base}_mv`);
    mod.use('rp_mv_fn');
    const head = `static void ${sym}(int r0, int r1, const float *x, float *y) {`;
    const [only] = m.parts;
    let text: string;
    if (m.parts.length === 1 && !only.bsr) text = `${head} ${partCall(mod, only, 'r0', 'r1', 'y')} }`;
    else if (m.parts.length === 1) text = `${head} (void)r0; (void)r1; ${partCall(mod, only, '0', String(only.plan.rows), 'y')} }`;
    else {
      const calls = m.parts.map((p) => {
        const p0 = p.plan.row0, p1 = p0 + p.plan.rows;
        return `  if (r0 <= ${p0} && ${p1} <= r1) ${partCall(mod, p, '0', String(p.plan.rows), p0 ? `y + ${p0} - r0` : 'y - r0')}`;
      });
      text = [head, ...calls, '}'].join('\n');
    }
    // ~150 bytes of code each, ~30 more per extra part (fitted, module.ts codeBytes): the dense loop is often inlined into it.
    mod.decl(text, 0, 150 + 30 * (m.parts.length - 1));
    return sym;
  });
}
