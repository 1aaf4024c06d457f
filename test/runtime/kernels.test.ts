// The backend kernels against a naive dense loop written here (closed-form oracle):
// gemv and gemmT in dense and CSR (uint16 and int32 column indices), row ranges,
// bias and accumulate; the WASM boundary's error path; and the enums the build
// generates for AssemblyScript against their one JSON source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RampartError } from '../../runtime/errors.ts';
import { JsLinalg } from '../../runtime/kernels/js-linalg.ts';
import type { Linalg } from '../../runtime/kernels/linalg.ts';
import { WasmLinalg } from '../../runtime/kernels/wasm-linalg.ts';
import { maxAbsDiff, randomFloats } from './helpers.ts';

const backends: Linalg[] = [new JsLinalg(), await WasmLinalg.create()];

function sparse(rows: number, cols: number, density: number, seed: number): Float32Array {
  const v = randomFloats(rows * cols, seed), keep = randomFloats(rows * cols, seed + 7);
  return v.map((x, i) => ((keep[i] + 1) / 2 < density ? x : 0));
}

function naive(w: Float32Array, rows: number, cols: number, x: Float32Array, P: number): Float32Array {
  // y[r, p] = sum_k w[r, k] x[k, p]
  const y = new Float32Array(rows * P);
  for (let r = 0; r < rows; r++) for (let p = 0; p < P; p++) {
    let s = 0;
    for (let k = 0; k < cols; k++) s += w[r * cols + k] * x[k * P + p];
    y[r * P + p] = s;
  }
  return y;
}

const SHAPES: [number, number, number][] = [[1, 1, 1], [5, 3, 0.5], [37, 29, 0.2], [64, 256, 0.1], [130, 70, 0.9], [8, 70000, 0.001]];

for (const la of backends) {
  for (const format of ['dense', 'csr'] as const) {
    test(`${la.name} ${format}: gemv matches the naive product, with bias, accumulate and row ranges`, () => {
      for (const [rows, cols, d] of SHAPES) {
        const w = sparse(rows, cols, d, rows + cols);
        const m = la.mark();
        try {
          const W = la.pack({ dense: w, rows, cols }, { persistent: false, format });
          assert.equal(W.format, format);
          const [x, y, b] = la.scratch([cols, rows, rows]);
          x.set(randomFloats(cols, 3));
          b.set(randomFloats(rows, 4));
          const want = naive(w, rows, cols, x, 1);
          la.gemv(W, x, y, { bias: b });
          assert.ok(maxAbsDiff(y, want.map((v, i) => v + b[i])) < 1e-4, `bias ${rows}x${cols}`);
          la.gemv(W, x, y, { accumulate: true });
          assert.ok(maxAbsDiff(y, want.map((v, i) => 2 * v + b[i])) < 1e-4, `accumulate ${rows}x${cols}`);
          y.fill(-7);
          const r0 = Math.floor(rows / 3), r1 = Math.ceil((2 * rows) / 3);
          la.gemv(W, x, y, { r0, r1 });
          for (let r = 0; r < rows; r++) {
            if (r >= r0 && r < r1) assert.ok(Math.abs(y[r] - want[r]) < 1e-4);
            else assert.equal(y[r], -7, 'rows outside the range are untouched');
          }
        } finally {
          la.release(m);
        }
      }
    });

    test(`${la.name} ${format}: gemmT matches the naive product for batch widths around the SIMD blocks`, () => {
      for (const [rows, cols, d] of SHAPES.slice(0, 5)) {
        for (const P of [1, 3, 4, 5, 16, 21, 33]) {
          const w = sparse(rows, cols, d, rows * 3 + cols);
          const m = la.mark();
          try {
            const W = la.pack({ dense: w, rows, cols }, { persistent: false, format, batched: true });
            const [xt, yt, b] = la.scratch([cols * P, rows * P, rows]);
            xt.set(randomFloats(cols * P, P));
            b.set(randomFloats(rows, 11));
            const want = naive(w, rows, cols, xt, P);
            la.gemmT(W, xt, P, yt, b, false);
            assert.ok(maxAbsDiff(yt, want.map((v, i) => v + b[Math.floor(i / P)])) < 1e-4, `${rows}x${cols} P=${P}`);
          } finally {
            la.release(m);
          }
        }
      }
    });
  }

  test(`${la.name}: a transposed dense source packs as its transpose`, () => {
    const m = la.mark();
    try {
      const wt = sparse(6, 4, 0.7, 1); // stored [cols=6, rows=4]
      const W = la.pack({ dense: wt, rows: 4, cols: 6, transposed: true }, { persistent: false, format: 'csr' });
      const [x, y] = la.scratch([6, 4]);
      x.set(randomFloats(6, 2));
      la.gemv(W, x, y);
      for (let r = 0; r < 4; r++) {
        let s = 0;
        for (let k = 0; k < 6; k++) s += wt[k * 4 + r] * x[k];
        assert.ok(Math.abs(y[r] - s) < 1e-5);
      }
    } finally {
      la.release(m);
    }
  });
}

for (const la of backends) {
  test(`${la.name}: transpose matches the definition around the 4x4 tiles`, () => {
    for (const [r, c] of [[1, 1], [3, 5], [4, 4], [9, 28], [1024, 28]]) {
      const m = la.mark();
      try {
        const [src, dst] = la.scratch([r * c, r * c]);
        src.set(randomFloats(r * c, r + c));
        la.transpose(src, r, c, dst);
        for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) assert.equal(dst[j * r + i], src[i * c + j]);
      } finally {
        la.release(m);
      }
    }
  });
}

test('wasm: a failing kernel status becomes a RampartError naming the kernel and status', async () => {
  const la = await WasmLinalg.create();
  const m = la.mark();
  try {
    const W = la.pack({ dense: new Float32Array(16).fill(1), rows: 4, cols: 4 }, { persistent: false, format: 'dense' });
    const [x, y] = la.scratch([4, 4]);
    // Rows beyond the packed matrix push the writes past the end of memory.
    assert.throws(() => la.gemv(W, x, y, { r0: 0, r1: 1 << 28 }), (e: unknown) =>
      e instanceof RampartError && /gemvDense/.test(e.message) && /OutOfBounds/.test(e.message));
    assert.throws(() => la.gemv(W, new Float32Array(4), y), /not a view of this backend's WASM memory/);
  } finally {
    la.release(m);
  }
});

test('the AssemblyScript enums are generated from runtime/wasm/enums.json', () => {
  const spec = JSON.parse(readFileSync(new URL('../../runtime/wasm/enums.json', import.meta.url), 'utf8')) as Record<string, string[]>;
  const gen = readFileSync(new URL('../../runtime/wasm/build/enums.ts', import.meta.url), 'utf8');
  for (const [name, members] of Object.entries(spec)) {
    if (name.startsWith('$')) continue;
    members.forEach((m, i) => assert.match(gen, new RegExp(`enum ${name} \\{[^}]*\\b${m} = ${i},`), `${name}.${m}`));
  }
});

test('the WASM build is idempotent: a second run with unchanged sources rebuilds nothing', () => {
  const script = fileURLToPath(new URL('../../runtime/wasm/build.mjs', import.meta.url));
  const first = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.equal(first.status, 0, first.stderr);
  const t = performance.now();
  const second = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.equal(second.status, 0, second.stderr);
  assert.equal(second.stdout, '', 'nothing rebuilt');
  assert.ok(performance.now() - t < 2000, 'the up-to-date check is fast');
});
