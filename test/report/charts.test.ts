import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latencyChartSvg, runtimeMarkdown, speedupChartSvg, type RuntimeRecord } from '../../bench/runtime-report.ts';
import { accuracySvg, latencyBarSvg, summaryHtml, summaryMarkdown, type SummaryInput } from '../../src/report/summary.ts';

const count = (svg: string, role: string) => (svg.match(new RegExp(`aria-roledescription="${role}"`, 'g')) ?? []).length;

function rec(model: string, sparsity: number, ms: Record<string, number>): RuntimeRecord {
  return { model, label: model === 'lstm' ? 'LSTM h256' : 'Gemm 1024', sparsity, ms };
}
const all = (node: number, web: number, js: number, wasm: number) => ({ 'ort-node': node, 'ort-web': web, 'rampart-js': js, 'rampart-wasm': wasm });
const RECORDS: RuntimeRecord[] = [
  rec('lstm', 0, all(0.3, 0.5, 13, 0.6)), rec('lstm', 0.9, all(0.3, 0.5, 5, 0.35)), rec('lstm', 0.95, all(0.3, 0.5, 1.3, 0.26)),
  // Gemm: rampart-js missing everywhere, so it gets no line.
  rec('gemm', 0, { 'ort-node': 0.05, 'ort-web': 0.06, 'rampart-wasm': 0.07 }), rec('gemm', 0.9, { 'ort-node': 0.05, 'ort-web': 0.06, 'rampart-wasm': 0.03 }),
];

test('latency chart: one line per runtime present, only that model\'s points', async () => {
  const svg = await latencyChartSvg(RECORDS, 'lstm');
  assert.match(svg, /^<svg/);
  assert.equal(count(svg, 'line mark'), 4);
  assert.equal(count(svg, 'point'), 12);
  for (const name of ['onnxruntime-node', 'onnxruntime-web', 'rampart-js', 'rampart-wasm']) assert.match(svg, new RegExp(`runtime: ${name}`));
  assert.match(svg, /LSTM h256: batch-1 latency/);

  const gemm = await latencyChartSvg(RECORDS, 'gemm');
  assert.equal(count(gemm, 'line mark'), 3);
  assert.doesNotMatch(gemm, /runtime: rampart-js/);
});

test('speed-up chart: a line per non-baseline runtime, the LSTM targets as rules', async () => {
  const targets = [{ model: 'lstm', sparsity: 0.9, vs: 'ort-node' as const, speedup: 3 }, { model: 'lstm', sparsity: 0.95, vs: 'ort-node' as const, speedup: 5 }];
  const svg = await speedupChartSvg(RECORDS, 'lstm', targets);
  assert.equal(count(svg, 'line mark'), 3);
  assert.doesNotMatch(svg, /runtime: onnxruntime-node/);
  // speed-up of rampart-wasm at 95%: 0.3 / 0.26
  assert.match(svg, new RegExp(`speed-up over onnxruntime-node \\(×\\): ${(0.3 / 0.26).toFixed(3).slice(0, 4)}`));
  assert.match(svg, /target 3× at 90%/);
  assert.match(svg, /target 5× at 95%/);
  // 1× baseline and the target rules
  assert.equal((svg.match(/aria-roledescription="rule mark container"/g) ?? []).length, 2);

  const gemm = await speedupChartSvg(RECORDS, 'gemm', targets);
  assert.equal(count(gemm, 'line mark'), 2);
  assert.doesNotMatch(gemm, /target \d/);
});

test('runtime.md embeds the chart files next to the table', () => {
  const md = runtimeMarkdown({ results: RECORDS, targets: [{ what: '90%: >= 3x faster than ort-node', value: '0.86x', met: false }] },
    [{ model: 'lstm', label: 'LSTM h256', latency: 'runtime-lstm.svg', speedup: 'runtime-lstm-speedup.svg' }]);
  assert.match(md, /!\[LSTM h256: latency\]\(runtime-lstm\.svg\)/);
  assert.match(md, /\(runtime-lstm-speedup\.svg\)/);
  assert.match(md, /\| LSTM h256 \| 90% \| 0\.300 \| 0\.500 \| 5\.000 \| 0\.350 \| 0\.86× \|/);
  assert.match(md, /\*\*missed\*\*: 90%/);
});

const SUMMARY: SummaryInput = {
  model: 'models/lstm/model.onnx', data: 'mnist', evalLimit: 300, method: 'magnitude', guard: 'delta-r', sparsity: 'auto', epochs: '1',
  accuracy: { dense: 0.97, prunedCsrOrt: 0.96, prunedCsrWasm: 0.96, prunedBeforeFinetune: 0.9 },
  achieved: 0.8,
  latency: [
    { label: 'dense', runtime: 'onnxruntime-node', medianMs: 0.3 }, { label: 'dense', runtime: 'rampart-js', medianMs: 13 }, { label: 'dense', runtime: 'rampart-wasm', medianMs: 0.6 },
    { label: 'pruned (CSR)', runtime: 'onnxruntime-node', medianMs: 2 }, { label: 'pruned (CSR)', runtime: 'rampart-js', medianMs: 3 }, { label: 'pruned (CSR)', runtime: 'rampart-wasm', medianMs: 0.2 },
  ],
  steps: [{ step: 'inspect', seconds: 1.2 }],
};

test('main summary: a bar per (model, runtime), a point per accuracy, a self-contained page with links', async () => {
  const lat = await latencyBarSvg(SUMMARY.latency);
  assert.equal(count(lat, 'bar'), 6);
  for (const rt of ['onnxruntime-node', 'rampart-js', 'rampart-wasm']) assert.equal((lat.match(new RegExp(`runtime: ${rt}"`, 'g')) ?? []).length, 2);
  // the value labels, 3 significant digits
  assert.match(lat, />13\.0</);
  assert.match(lat, />0\.200</);
  const acc = await accuracySvg([{ label: 'dense', accuracy: 0.97 }, { label: 'pruned', accuracy: 0.96 }]);
  assert.equal(count(acc, 'point'), 2);

  const page = summaryHtml(SUMMARY, { accuracy: acc, latency: lat, pruneSparsity: '<svg id="s"></svg>', pruneGuard: null });
  assert.match(page, /<a href="analyze\.html">/);
  assert.match(page, /<a href="prune\/prune-report\.md">/);
  assert.match(page, /<svg id="s"><\/svg>/);
  assert.match(page, /achieved 80\.00%/);
  assert.match(page, /-1\.00 points on onnxruntime/);
  assert.doesNotMatch(page, /<script|https?:\/\/(?!www\.w3\.org)/);

  const md = summaryMarkdown(SUMMARY, 'summary-latency.svg');
  assert.match(md, /!\[batch-1 latency per runtime\]\(summary-latency\.svg\)/);
  assert.match(md, /\| pruned \(CSR\) \| rampart-wasm \| 0\.200 \|/);
});
