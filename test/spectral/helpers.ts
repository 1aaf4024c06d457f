// Shared builders for the spectral tests: graphs with known spectra, random masks,
// and a dense SVD from a trusted library (ml-matrix) as the oracle.
import { Matrix, SVD } from 'ml-matrix';
import type { MatrixView } from '../../src/spectral/index.ts';

export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** View with rows = right vertices, cols = left vertices from a |L|×|R| biadjacency function. */
export function viewOf(nL: number, nR: number, b: (l: number, r: number) => number): MatrixView {
  const data = new Float32Array(nR * nL);
  for (let r = 0; r < nR; r++) for (let l = 0; l < nL; l++) data[r * nL + l] = b(l, r);
  return { rows: nR, cols: nL, data };
}

/** Array-code biadjacency (SPECTRAL.md §3): q² × lq, block (r, c) = P^(r·c), P[i][(i−1) mod q] = 1. */
export function arrayCode(q: number, l: number): MatrixView {
  // P^k[i][j] = 1 iff j = (i − k) mod q
  return viewOf(q * q, l * q, (row, col) => {
    const br = Math.floor(row / q), i = row % q, bc = Math.floor(col / q), j = col % q;
    const k = (br * bc) % q;
    return j === (((i - k) % q) + q) % q ? 1 : 0;
  });
}

export function randomView(rows: number, cols: number, density: number, rand: () => number, weighted = false): MatrixView {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) if (rand() < density) data[i] = weighted ? rand() * 2 - 1 || 0.5 : 1;
  return { rows, cols, data };
}

/** Two disjoint copies: block-diagonal [[G, 0], [0, G]]. */
export function twoCopies(v: MatrixView): MatrixView {
  const rows = 2 * v.rows, cols = 2 * v.cols;
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < v.rows; r++) {
    for (let c = 0; c < v.cols; c++) {
      data[r * cols + c] = v.data[r * v.cols + c];
      data[(r + v.rows) * cols + v.cols + c] = v.data[r * v.cols + c];
    }
  }
  return { rows, cols, data };
}

/** All singular values (descending) of |view| by ml-matrix's dense SVD. */
export function denseSingularValues(v: MatrixView, weighted = true): number[] {
  const m = new Matrix(v.rows, v.cols);
  for (let r = 0; r < v.rows; r++) {
    for (let c = 0; c < v.cols; c++) {
      const x = v.data[r * v.cols + c];
      m.set(r, c, x === 0 ? 0 : weighted ? Math.abs(x) : 1);
    }
  }
  const s = new SVD(m, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true });
  return [...s.diagonal].sort((a, b) => b - a);
}
