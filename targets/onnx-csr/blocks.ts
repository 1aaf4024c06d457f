// Which storage a weight of an onnx-csr file gets: dense, CSR or block CSR, whichever
// takes the fewest bytes. Blocks are found from the zero pattern with the greedy cover
// the runtime's packer uses (runtime/bsr.ts bsrBlockCount), over the natural row map
// (br consecutive rows, never straddling a gate or a conv group) and, for LSTM/GRU, the
// gate-fused map (one unit's gates in one block: rows {k + g*H}), so a block-pruned weight
// is stored as blocks however it was pruned, and a weight pruned entry by entry stays CSR.
import type { Csr } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { csrBytes } from '../../runtime/csr.ts';
import { bsrBlockCount, bsrFromCsr, gateFusedRowMap, naturalRowMap, type Bsr } from '../../runtime/bsr.ts';
import { rowMapForm, type RowMapForm } from '../../runtime/csr-format.ts';

/** `--block`: every candidate shape ('auto'), no blocks ('none'), or one br x bc shape. */
export type BlockSpec = 'auto' | 'none' | { br: number; bc: number };

/** Natural-map shapes tried by 'auto': 4x1/8x1/16x1 (output rows sharing a column), 1x4 (consecutive inputs). */
const AUTO: { br: number; bc: number }[] = [{ br: 4, bc: 1 }, { br: 8, bc: 1 }, { br: 16, bc: 1 }, { br: 1, bc: 4 }];
/** Gate-fused shapes: 1, 2 or 4 units of every gate per block, and the 4/8/16-row shapes when they are whole units. */
const fusedRows = (gates: number) => [...new Set([gates, 2 * gates, 4 * gates, 4, 8, 16])].filter((br) => br % gates === 0);

export function parseBlockSpec(s: string): BlockSpec {
  if (s === 'auto' || s === 'none') return s;
  const m = /^(\d+)x(\d+)$/.exec(s);
  const br = m ? Number(m[1]) : 0, bc = m ? Number(m[2]) : 0;
  if (!(br >= 1 && bc >= 1 && br * bc > 1 && br <= 256 && bc <= 256)) {
    throw new RampartError(`--block ${s}`, { expected: "'auto', 'none' or RxC with 1 <= R, C <= 256 and R*C > 1 (e.g. 8x1, 16x1, 1x4)" });
  }
  return { br, bc };
}

/** How the rows of a weight fall into segments a block must not straddle. */
export interface RowLayout {
  /** Rows per gate (recurrent), per group (Conv), or all rows. */
  segment: number;
  /** Recurrent ops: gates and hidden size, for the gate-fused map. */
  gates: number | null;
  hidden: number | null;
}

export type Storage =
  | { form: 'dense'; bytes: number }
  | { form: 'csr'; bytes: number }
  | { form: 'bsr'; bytes: number; bsr: Bsr; map: RowMapForm; label: string };

/** Which shared rebuild function (transform.ts) a sparse storage needs: one per CSR and per row-map form. */
export type DensifyKind = 'csr' | RowMapForm['kind'];

/** Bytes a form costs beyond its tensors: its rebuild function's, until the model has one. */
export type HelperCost = (kind: DensifyKind) => number;

const colBytes = (cols: number) => (cols <= 65536 ? 2 : 4);

/** Bytes of the block tensors for `blocks` blocks over `map`, and the form its map is stored in. */
function bsrSize(m: Csr, br: number, bc: number, map: Int32Array, blocks: number, layout: RowLayout): { bytes: number; form: RowMapForm } {
  const form = rowMapForm({ rows: m.rows, br, rowMap: map }, layout.gates && layout.hidden ? { gates: layout.gates, hidden: layout.hidden } : undefined);
  const mapBytes = form.kind === 'explicit' ? 4 * map.length : form.kind === 'gate-fused' ? 16 : 0;
  return { bytes: blocks * (4 * br * bc + colBytes(m.cols)) + 4 * (map.length / br + 1) + mapBytes, form };
}

/**
 * The smallest storage of m. Among the sparse forms the rebuild function a form would add
 * to the file counts too (`helper`); against dense only the tensors do, as the layer's
 * --max-density gate has already made the layer sparse. `allowDense` is false where the
 * call cannot take a dense slot (Gemm, MatMul, Conv: their one weight dense means the
 * layer is left as it is). Ties go to the simpler form (dense, CSR, then fewer tries).
 * `bytes` is the tensors' bytes.
 */
export function chooseStorage(m: Csr, layout: RowLayout, spec: BlockSpec, allowDense: boolean, helper: HelperCost = () => 0): Storage {
  const best = bestSparse(m, layout, spec, helper);
  const denseBytes = 4 * m.rows * m.cols;
  return allowDense && denseBytes <= best.bytes ? { form: 'dense', bytes: denseBytes } : best;
}

function bestSparse(m: Csr, layout: RowLayout, spec: BlockSpec, helper: HelperCost): Storage {
  const csr: Storage = { form: 'csr', bytes: csrBytes(m) };
  if (spec === 'none' || m.values.length === 0) return csr;
  const shapes = spec === 'auto' ? AUTO : [spec];
  const tries: { br: number; bc: number; map: Int32Array; label: string }[] = [];
  for (const { br, bc } of shapes) tries.push({ br, bc, map: naturalRowMap(m.rows, br, layout.segment), label: `${br}x${bc}` });
  const { gates, hidden } = layout;
  if (gates && hidden && gates > 1) {
    const rows = spec === 'auto' ? fusedRows(gates) : [spec.br].filter((br) => br % gates === 0);
    const bc = spec === 'auto' ? 1 : spec.bc;
    for (const br of rows) tries.push({ br, bc, map: gateFusedRowMap(m.rows, br, gates, hidden), label: `${br}x${bc} gate-fused` });
  }
  let cost = csr.bytes + helper('csr'), bytes = 0, pick: (typeof tries)[number] | null = null, form: RowMapForm = { kind: 'explicit' };
  for (const t of tries) {
    if (t.bc > m.cols) continue;
    const b = bsrSize(m, t.br, t.bc, t.map, bsrBlockCount(m, t.bc, t.map, t.br), layout);
    if (b.bytes + helper(b.form.kind) < cost) { cost = b.bytes + helper(b.form.kind); bytes = b.bytes; pick = t; form = b.form; }
  }
  if (!pick) return csr;
  return { form: 'bsr', bytes, bsr: bsrFromCsr(m, pick.br, pick.bc, pick.map), map: form, label: pick.label };
}
