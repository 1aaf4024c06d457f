// The quotient graph of a block mask (block rows × block columns) and the element
// graph it blows up to. Oracles: closed forms for complete bipartite and array-code
// graphs (SPECTRAL.md §3), ml-matrix's dense SVD of the element matrix, and the
// Kronecker law σ_k(Q ⊗ J(R×C)) = √(RC)·σ_k(Q).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBlockShape } from '../../src/prune/blocks.ts';
import { analyzeModel, type GraphRecord } from '../../src/spectral/analyze.ts';
import { graphMetrics } from '../../src/spectral/index.ts';
import { mlp } from '../prune/helpers.ts';
import { arrayCode, denseSingularValues, lcg } from './helpers.ts';
import type { MatrixView } from '../../src/spectral/index.ts';

/** Each entry of `v` becomes an R×C block of copies, with a weight that varies inside the block (any nonzero will do). */
function blowUp(v: MatrixView, R: number, C: number): MatrixView {
  const rows = v.rows * R, cols = v.cols * C;
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    if (v.data[Math.floor(r / R) * v.cols + Math.floor(c / C)]) data[r * cols + c] = 0.5 + ((r * 7 + c * 3) % 5) / 10;
  }
  return { rows, cols, data };
}

/** The one "as is" stacked record of a single Gemm whose [out, in] matrix is `v`. */
function analyseAsIs(v: MatrixView, block: string): GraphRecord {
  const m = mlp([{ name: 'W', out: v.rows, in: v.cols, values: v.data }]);
  const a = analyzeModel(m, { block: parseBlockShape(block), weighted: false });
  assert.equal(a.records.length, 1);
  return a.records[0];
}

const close = (a: number | null, b: number, tol: number, what: string) => assert.ok(a !== null && Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('blow-up of K(4,6) inside a zero matrix: the quotient is K(4,6) (σ1 = √24, σ2 = 0); the element σ1 is √(RC) times it', () => {
  // 6 block rows × 9 block columns; the complete bipartite part is block rows 1..4 × block columns 2..7 (4 × 6).
  const q: MatrixView = { rows: 6, cols: 9, data: new Float32Array(54) };
  for (let r = 1; r <= 4; r++) for (let c = 2; c <= 7; c++) q.data[r * 9 + c] = 1;
  const [R, C] = [3, 2];
  const e = blowUp(q, R, C);
  const rec = analyseAsIs(e, `${R}x${C}`);
  const qq = rec.quotient!;
  assert.equal(qq.nR, 4); assert.equal(qq.nL, 6); assert.equal(qq.edges, 24);
  close(qq.mu0, Math.sqrt(24), 1e-12, 'quotient σ1');
  assert.ok(qq.muHat !== null && qq.muHat <= 1e-12 * Math.sqrt(24), `quotient σ2 ${qq.muHat}`);
  close(qq.deltaR, Math.sqrt(6 - 1) + Math.sqrt(4 - 1), 1e-12, 'quotient Δr');
  // Element graph (0/1 pattern): σ1 = √(24·R·C), σ2 = 0; degrees scale by R (inputs) and C (outputs).
  const s = denseSingularValues(e, false);
  close(rec.mu0, s[0], 1e-9 * s[0], 'element σ1 vs ml-matrix');
  close(rec.mu0, Math.sqrt(R * C) * qq.mu0!, 1e-9 * s[0], 'element σ1 = √(RC)·quotient σ1');
  close(rec.dL, R * qq.dL!, 1e-12, 'dL'); close(rec.dR, C * qq.dR!, 1e-12, 'dR');
});

test('blow-up of an array code (q = 5, l = 3) by 2×3 blocks: quotient σ2 = √q exactly, element σ1, σ2 = √6 times', () => {
  const qv = arrayCode(5, 3); // 15 × 25, Ramanujan
  const [R, C] = [2, 3];
  const e = blowUp(qv, R, C);
  const rec = analyseAsIs(e, `${R}x${C}`);
  const qq = rec.quotient!;
  close(qq.mu0, Math.sqrt(15), 1e-10, 'quotient σ1 = √(lq)');
  close(qq.muHat, Math.sqrt(5), 1e-10, 'quotient σ2 = √q');
  const qDelta = Math.sqrt(qq.dL! - 1) + Math.sqrt(qq.dR! - 1) - Math.sqrt(5);
  close(qq.deltaR, qDelta, 1e-10, 'quotient Δr closed form');
  assert.equal(qq.ramanujan, true);
  const s = denseSingularValues(e, false);
  close(rec.mu0, s[0], 1e-9 * s[0], 'element σ1 vs ml-matrix');
  close(rec.muHat, s[1], 1e-9 * s[0], 'element σ2 vs ml-matrix');
  close(rec.muHat, Math.sqrt(R * C * 5), 1e-9 * s[0], 'element σ2 = √(RC)·√q');
  // The same 0/1 quotient computed straight from the array code agrees with the record.
  const direct = graphMetrics(qv, { weighted: false });
  close(qq.muHat, direct.muHat!, 1e-12, 'quotient = the array code');
});

test('the dense path (≤ 24 vertices) converges on blow-ups: many zero eigenvalues, twin rows', () => {
  // 8×1 blow-ups of small 0/1 matrices (the second made a 100-sweep Jacobi fail under a fixed 1e-17 bar), and
  // 3×3 blocks of a q = 3, l = 2 array code. Smaller sides 7, 6 and 18: all on the Jacobi path.
  const cases: MatrixView[] = [
    blowUp({ rows: 3, cols: 7, data: Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1]) }, 8, 1),
    blowUp({ rows: 3, cols: 6, data: Float32Array.from([1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0]) }, 8, 1),
    blowUp(arrayCode(3, 2), 3, 3),
  ];
  for (const e of cases) {
    const g = graphMetrics(e, { weighted: true, imdb: false });
    const s01 = denseSingularValues(e, false), sw = denseSingularValues(e, true);
    close(g.mu0, s01[0], 1e-9 * s01[0], 'σ1'); close(g.muHat, s01[1], 1e-9 * s01[0], 'σ2');
    close(g.weighted!.mu0, sw[0], 1e-9 * sw[0], 'weighted σ1'); close(g.weighted!.muHat, sw[1], 1e-9 * sw[0], 'weighted σ2');
  }
});

test('analyze --block --at: levels are whole-block masks, and quotient edges × block size = element edges', () => {
  const rand = lcg(7);
  const m = mlp([{ name: 'W', out: 32, in: 12, values: () => rand() * 2 - 1 }]);
  const a = analyzeModel(m, { block: parseBlockShape('4x2'), levels: [0.5, 0.75, 0.9], weighted: false });
  for (const r of a.records.filter((x) => x.level !== null)) {
    assert.equal(r.edges, 8 * r.quotient!.edges, `level ${r.level}`);
    assert.ok(Math.abs(r.sparsity - r.level!) <= 8 / (32 * 12) / 2 + 1e-12, `level ${r.level}: sparsity ${r.sparsity}`);
  }
  // Without a block shape nothing changes: no quotient, magnitude masks per graph.
  const plain = analyzeModel(m, { levels: [0.5], weighted: false });
  assert.ok(plain.records.every((r) => r.quotient === null));
  assert.equal(plain.block, null);
});
