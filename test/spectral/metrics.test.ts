import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graphMetrics, isRamanujan, type GraphMetrics } from '../../src/spectral/index.ts';
import { arrayCode, denseSingularValues, lcg, randomView, viewOf } from './helpers.ts';

const close = (a: number | null, b: number, tol = 1e-9) => {
  assert.ok(a !== null, `expected ${b}, got null`);
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
};

test('K(n, m): Δr, Δs, NaRC in both conventions from closed forms', () => {
  const n = 6, m = 4; // |L| = 6 inputs, |R| = 4 outputs
  const g = graphMetrics(viewOf(n, m, () => 1));
  assert.equal(g.nL, n); assert.equal(g.nR, m); assert.equal(g.edges, 24);
  close(g.dL, m); close(g.dR, n);
  close(g.mu0, Math.sqrt(24));
  close(g.muHat, 0);
  close(g.deltaR, Math.sqrt(m - 1) + Math.sqrt(n - 1));
  close(g.deltaRNorm, 1);
  close(g.deltaS, 2 * Math.sqrt(Math.sqrt(24) - 1));
  close(g.deltaSNorm, 1);
  // e − (dL/m)·nL·nR = 24 − 24 = 0 (paper), 48 − 24 (reference)
  close(g.narc, Math.sqrt(24) / 24);
  close(g.narcDirected, (Math.sqrt(24) - 24) / 24);
  close(g.expansion, m / n);
  close(g.weighted!.mu0, Math.sqrt(24));
  assert.equal(isRamanujan(g, 'delta-r'), true);
  assert.equal(isRamanujan(g, 'delta-s'), true);
  assert.equal(isRamanujan(g, 'delta-r', true), true);
  assert.equal(isRamanujan(g, 'delta-r', true, 'reference'), false);
});

test('array code graphs are Ramanujan with Δr = √(l−1) + √(q−1) − √q', () => {
  for (const [q, l] of [[7, 3], [13, 4]]) {
    const g = graphMetrics(arrayCode(q, l));
    close(g.dL, l); close(g.dR, q);
    close(g.deltaR, Math.sqrt(l - 1) + Math.sqrt(q - 1) - Math.sqrt(q));
    assert.equal(isRamanujan(g), true);
    // biregular: every left vertex has degree l, so IMDB is Δr of the one group = the whole graph
    assert.equal(g.imdbGroups, 1);
    close(g.imdb, g.deltaR!);
  }
});

test('isolated vertices are dropped; full sizes kept for NaRC', () => {
  const base = randomView(20, 30, 0.3, lcg(1));
  // pad with 5 empty rows and 7 empty columns
  const rows = 25, cols = 37;
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < 20; r++) for (let c = 0; c < 30; c++) data[(r + 5) * cols + c + 7] = base.data[r * 30 + c];
  const a = graphMetrics(base), b = graphMetrics({ rows, cols, data });
  for (const k of ['nL', 'nR', 'edges', 'dL', 'dR', 'mu0', 'muHat', 'deltaR', 'imdb'] as const) {
    if (a[k] === null) assert.equal(b[k], null, k);
    else close(b[k], a[k] as number, 1e-12);
  }
  assert.equal(b.n, 37); assert.equal(b.m, 25);
  assert.notEqual(a.narc, b.narc);
});

/**
 * Independent reimplementation over dense arrays, singular values from ml-matrix. `side`
 * says which vertices are grouped by exact degree: SPECTRAL.md's left ones (inputs,
 * columns of the view) or the outputs (rows).
 */
function denseImdb(v: { rows: number; cols: number; data: Float32Array }, side: 'inputs' | 'outputs'): { imdb: number | null; groups: number } {
  // Transpose to "grouped vertices as columns" so one loop serves both sides.
  const t = side === 'inputs' ? v : {
    rows: v.cols, cols: v.rows, data: Float32Array.from({ length: v.data.length }, (_, k) => v.data[(k % v.rows) * v.cols + Math.floor(k / v.rows)]),
  };
  const deg = new Array(t.cols).fill(0);
  for (let r = 0; r < t.rows; r++) for (let l = 0; l < t.cols; l++) if (t.data[r * t.cols + l]) deg[l]++;
  const byDeg = new Map<number, number[]>();
  deg.forEach((d, l) => { if (d > 0) byDeg.set(d, [...(byDeg.get(d) ?? []), l]); });
  const vals: number[] = [];
  for (const [d, ls] of byDeg) {
    if (ls.length < 3) continue;
    const rightsUsed = [...Array(t.rows).keys()].filter((r) => ls.some((l) => t.data[r * t.cols + l]));
    const sub = { rows: rightsUsed.length, cols: ls.length, data: new Float32Array(rightsUsed.length * ls.length) };
    rightsUsed.forEach((r, i) => ls.forEach((l, j) => { sub.data[i * ls.length + j] = t.data[r * t.cols + l] ? 1 : 0; }));
    const dR = (d * ls.length) / rightsUsed.length;
    if (d < 3 || dR < 3) continue;
    vals.push(Math.sqrt(d - 1) + Math.sqrt(dR - 1) - denseSingularValues(sub, false)[1]);
  }
  return { imdb: vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null, groups: vals.length };
}

test('IMDB matches an independent dense computation, grouping the larger side (inputs on a tie, as SPECTRAL.md)', () => {
  const rand = lcg(77);
  let nonNull = 0, groups = 0, outputsGrouped = 0;
  for (const [rows, cols, d] of [[20, 400, 0.3], [40, 600, 0.15], [30, 200, 0.4], [50, 200, 0.1], [80, 40, 0.15], [64, 300, 0.05], [60, 60, 0.3], [512, 28, 0.5], [200, 30, 0.2]] as const) {
    const v = randomView(rows, cols, d, rand, true);
    const g = graphMetrics(v);
    const side = rows > cols ? 'outputs' : 'inputs';
    assert.equal(g.imdbSide, side);
    const ref = denseImdb(v, side);
    assert.equal(g.imdbGroups, ref.groups, `${rows}×${cols}`);
    groups += ref.groups;
    if (ref.imdb === null) assert.equal(g.imdb, null);
    else { close(g.imdb, ref.imdb); nonNull++; if (side === 'outputs') outputsGrouped++; }
  }
  assert.ok(nonNull >= 6 && groups >= 25 && outputsGrouped >= 2, `${nonNull} graphs, ${groups} groups, ${outputsGrouped} by outputs`);
});

test('IMDB on a 28-input layer: grouped by inputs it is undefined at half density, by the 512 outputs it is not', () => {
  // 512 outputs × 28 inputs at density 0.5: input degrees ~ Binomial(512, 0.5) spread over ±11, so no three are
  // equal in the seeded draw; output degrees lie in 0..28, about 18 outputs to each.
  const v = randomView(512, 28, 0.5, lcg(5));
  assert.equal(denseImdb(v, 'inputs').imdb, null);
  const g = graphMetrics(v, { weighted: false });
  assert.equal(g.imdbSide, 'outputs');
  assert.ok(g.imdb !== null && g.imdbGroups >= 10, `${g.imdbGroups} groups`);
  close(g.imdb, denseImdb(v, 'outputs').imdb!);
  assert.equal(graphMetrics(v, { imdb: false }).imdbSide, null);
});

test('weighted forms use |w| and match a dense SVD', () => {
  const v = randomView(40, 70, 0.25, lcg(8), true);
  const g = graphMetrics(v);
  const sv = denseSingularValues(v, true);
  close(g.weighted!.mu0, sv[0]);
  close(g.weighted!.muHat, sv[1]);
  close(g.weighted!.deltaR, Math.sqrt(g.dL! - 1) + Math.sqrt(g.dR! - 1) - sv[1]);
  if (sv[0] >= 1) close(g.weighted!.deltaS, 2 * Math.sqrt(sv[0] - 1) - sv[1]);
  else assert.equal(g.weighted!.deltaS, null);
  // a uniform weight c scales the singular values by c
  const u = { ...v, data: v.data.map((x) => (x ? -0.25 : 0)) };
  const gu = graphMetrics(u);
  close(gu.weighted!.mu0, 0.25 * gu.mu0!);
  close(gu.weighted!.muHat, 0.25 * gu.muHat!);
  assert.equal(graphMetrics(v, { weighted: false }).weighted, null);
});

function allNullExcept(g: GraphMetrics, keep: string[]) {
  for (const k of ['dL', 'dR', 'mu0', 'muHat', 'deltaR', 'deltaRNorm', 'deltaS', 'deltaSNorm', 'imdb', 'narc', 'narcDirected', 'expansion'] as const) {
    if (!keep.includes(k)) assert.equal(g[k], null, `${k} should be null`);
  }
}

test('degenerate layers report undefined quantities as null', () => {
  const empty = graphMetrics(viewOf(5, 4, () => 0));
  assert.equal(empty.edges, 0); assert.equal(empty.nL, 0); assert.equal(empty.imdbGroups, 0);
  allNullExcept(empty, []);
  assert.deepEqual(empty.weighted, { mu0: null, muHat: null, deltaR: null, deltaS: null });
  assert.equal(isRamanujan(empty), null);

  const one = graphMetrics(viewOf(5, 4, (l, r) => (l === 2 && r === 1 ? 0.5 : 0)));
  assert.equal(one.edges, 1); assert.equal(one.nL, 1); assert.equal(one.nR, 1);
  close(one.mu0, 1); close(one.dL, 1); close(one.expansion, 1);
  allNullExcept(one, ['dL', 'dR', 'mu0', 'expansion']);
  close(one.weighted!.mu0, 0.5);
  assert.equal(isRamanujan(one, 'delta-s'), null);

  // a perfect matching plus a path: average degrees < 3, singular values defined
  const sparse = graphMetrics(viewOf(10, 10, (l, r) => (l === r || l === r + 1 ? 1 : 0)));
  assert.ok(sparse.dL! < 3 && sparse.dR! < 3);
  assert.equal(sparse.deltaR, null); assert.equal(sparse.deltaRNorm, null);
  assert.equal(sparse.imdb, null); assert.equal(sparse.imdbGroups, 0);
  assert.ok(sparse.mu0! > 1 && sparse.muHat! > 0);
  assert.notEqual(sparse.deltaS, null);
  assert.equal(isRamanujan(sparse, 'delta-r'), null);
  assert.equal(typeof isRamanujan(sparse, 'delta-s'), 'boolean');
});

test('a sparse random graph fails the bound that a denser one passes', () => {
  const rand = lcg(11);
  const dense = graphMetrics(randomView(100, 300, 0.3, rand));
  assert.equal(isRamanujan(dense), true);
  // many isolated-ish vertices and a few hubs: μ̂ far above √(d−1) terms
  const hubs = graphMetrics(viewOf(300, 100, (l, r) => (r < 6 || (l < 4) || (l + r) % 97 === 0 ? 1 : 0)));
  assert.ok(hubs.deltaR === null || hubs.deltaR < 0 || hubs.deltaS! < 0);
});
