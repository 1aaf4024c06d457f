// The analyze and prune charts on a model with ResNet-18's 21 prunable layers, named
// as PyTorch's exporter names them ('/layer2/layer2.0/downsample/downsample.0/Conv'):
// labels that tell the layers apart, small multiples rather than 21 lines in 10
// colours, undefined values marked as such, and Δr bars on a scale where a sparse
// mask's value is visible next to the dense one's. Oracles: the layer names and the
// records' own values (which bars and points exist, their widths on the axis).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model, Node, Tensor } from '../../runtime/ir.ts';
import { spectralCriterion } from '../../src/prune/criterion.ts';
import { prune } from '../../src/prune/prune.ts';
import { charts, layerRows, type PruneReportData } from '../../src/prune/report.ts';
import { pruneTargets } from '../../src/prune/targets.ts';
import { shortLabels } from '../../src/report/labels.ts';
import { analyzeModel } from '../../src/spectral/analyze.ts';
import { renderHtml } from '../../src/spectral/report.ts';
import { mulberry32 } from '../../src/util/random.ts';

/** ResNet-18's conv and fc node names as torch.onnx.export (torch 1.13) writes them. */
function resnet18Names(): string[] {
  const names = ['/conv1/Conv'];
  for (let l = 1; l <= 4; l++) for (let b = 0; b < 2; b++) {
    names.push(`/layer${l}/layer${l}.${b}/conv1/Conv`, `/layer${l}/layer${l}.${b}/conv2/Conv`);
    if (l > 1 && b === 0) names.push(`/layer${l}/layer${l}.0/downsample/downsample.0/Conv`);
  }
  return [...names, '/fc/Gemm'];
}

/** 20 convs of 40 outputs over 216 inputs (24 channels, 3×3) and a 2-output head, whose Δr is undefined (dL ≤ 2). */
function resnetLike(): Model {
  const rand = mulberry32(7);
  const normal = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const inits: Record<string, Tensor> = {};
  const nodes: Node[] = [];
  let x = 'x';
  for (const [i, name] of resnet18Names().entries()) {
    const conv = name.endsWith('/Conv');
    const dims = conv ? [40, 24, 3, 3] : [2, 40];
    inits[`w${i}`] = { dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, normal) };
    const y = `y${i}`;
    nodes.push({ name, op: conv ? 'Conv' : 'Gemm', domain: '', inputs: [x, `w${i}`], outputs: [y], attrs: conv ? {} : { transB: { type: 'int', value: 1 } } });
    x = y;
  }
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '', functions: [], metadata: {},
    graph: { name: 'g', inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 24, 8, 8] }], outputs: [{ name: x, dtype: 'float32', shape: null }], initializers: inits, nodes, valueInfo: {} },
  };
}

const SHORT = ['conv1', 'layer1.0/conv1', 'layer1.0/conv2', 'layer1.1/conv1', 'layer1.1/conv2', 'layer2.0/conv1', 'layer2.0/conv2', 'layer2.0/downsample.0'];

test('labels: the module path without repeated scopes and op type; full names where short ones collide', () => {
  const labels = shortLabels(resnet18Names());
  assert.deepEqual(labels.slice(0, 8), SHORT);
  assert.equal(labels.at(-1), 'fc');
  assert.equal(new Set(labels).size, 21);
  assert.deepEqual(shortLabels(['/a/Conv', '/a/Gemm', 'lstm']), ['/a/Conv', '/a/Gemm', 'lstm']);
});

const svgs = (html: string) => html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
const texts = (svg: string, role: string) =>
  [...svg.matchAll(new RegExp(`<g class="mark-text ${role}"[^>]*>([\\s\\S]*?)</g>`, 'g'))].flatMap((m) => [...m[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]));
/** Each bar's series, group and pixel width along the value axis. */
const bars = (svg: string) => [...svg.matchAll(/aria-label="[^"]*?: (-?[\d.e-]+); group: ([^;]+); series: ([^"]+)" role="graphics-symbol" aria-roledescription="bar" d="M[-\d.]+,[-\d.]+h(-?[\d.]+)/g)]
  .map((m) => ({ value: Number(m[1]), group: m[2], series: m[3], width: Math.abs(Number(m[4])) }));

test('analyze.html on 21 layers: distinct full labels, small multiples, undefined marked, Δr bars on a symmetric log scale', async () => {
  const a = analyzeModel(resnetLike(), { levels: [0.5, 0.8] });
  const [deltaR, imdb, lines] = svgs(await renderHtml(a, 'resnet-like')) as [string, string, string];
  const labels = [...SHORT, 'fc'];

  // Bars: one row per layer, each named in full (no label cut with an ellipsis).
  const rows = texts(deltaR, 'role-axis-label').filter((t) => !/^[-−]?[\d.]+$/.test(t));
  assert.equal(rows.length, 21);
  assert.equal(new Set(rows).size, 21);
  for (const l of labels) assert.ok(rows.includes(l), `${l} in ${rows}`);
  assert.ok(rows.every((t) => !t.includes('…')));

  // Undefined: the head's Δr at every level, and its IMDB, are words on the chart, not missing bars.
  const head = a.records.filter((r) => r.layer === '/fc/Gemm');
  assert.ok(head.every((r) => r.deltaR === null));
  const undefinedSlots = (svg: string) => [...svg.matchAll(/aria-label="group: ([^;]+); series: [^"]+"[^>]*>undefined</g)].map((m) => m[1]);
  assert.deepEqual(undefinedSlots(deltaR), ['fc', 'fc', 'fc']);
  assert.equal(undefinedSlots(imdb).length, a.records.filter((r) => r.gate === null && r.imdb === null).length);

  // The scale: a Δr of ~0.9 at 80% (random weights sit at the bound by 90%) is not a sliver
  // next to the dense ~21 (on a linear axis 4% of its length).
  const bs = bars(deltaR);
  let compared = 0;
  for (const l of labels.slice(0, -1)) {
    const dense = bs.find((b) => b.group === l && b.series === 'as is')!;
    const sparse = bs.find((b) => b.group === l && b.series === '80%');
    if (!sparse || Math.abs(sparse.value) < 0.5) continue;
    assert.ok(dense.value / Math.abs(sparse.value) > 15, `${l}: ${dense.value} vs ${sparse.value}`);
    assert.ok(sparse.width >= 0.15 * dense.width, `${l}: ${sparse.width} px next to ${dense.width} px`);
    compared++;
  }
  assert.ok(compared >= 5, `${compared} layers compared`);

  // Lines: 21 series are 21 panels titled by layer, not one plot of repeating colours;
  // the head's panel has no line (nothing defined), only its × marks.
  assert.equal((lines.match(/aria-roledescription="line mark"/g) ?? []).length, 20);
  assert.deepEqual(texts(lines, 'role-title-text'), shortLabels(resnet18Names()));
  assert.equal((lines.match(/aria-roledescription="point"/g) ?? []).length, 20 * 2 + 2);
  assert.deepEqual(lines.match(/aria-label="fc: undefined at [\d.]+"/g), ['aria-label="fc: undefined at 0.5"', 'aria-label="fc: undefined at 0.8"']);
  assert.match(lines, /role-legend-label[\s\S]*?undefined/);
});

test('prune charts on 21 layers: labelled rows, a panel per guard scan, undefined scan values marked', async () => {
  const model = resnetLike();
  const r = await prune(model, { method: 'magnitude', sparsity: 'auto', criterion: spectralCriterion({ criterion: 'delta-r' }) });
  const data = { layers: layerRows(r, pruneTargets(model)) } as PruneReportData;
  const c = await charts(data, 'delta-r');
  const rows = texts(c.sparsity, 'role-axis-label').filter((t) => !/^[\d.]+$/.test(t));
  assert.equal(new Set(rows).size, 21);
  assert.ok(rows.includes('layer2.0/downsample.0') && rows.every((t) => !t.includes('…')));
  // Every weight was scanned: a titled panel each; the head "fails even dense" on undefined Δr, × at each level.
  const panels = texts(c.guard, 'role-title-text');
  assert.equal(panels.length, 21 + 1, 'the chart title and a title per panel');
  assert.ok(panels.includes('fc') && panels.includes('layer4.1/conv2'));
  const headRow = data.layers.find((l) => l.layer === '/fc/Gemm')!;
  assert.ok(headRow.curve.length > 0 && headRow.curve.every((p) => p.value === null));
  assert.equal((c.guard.match(/aria-label="fc: undefined at [\d.]+"/g) ?? []).length, headRow.curve.length);
  assert.match(c.guard, /Guard scan: Δr/);
});
