import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barChartSvg, htmlPage, htmlTable, lineChartSvg } from '../../src/report/chart.ts';

test('lineChartSvg renders one path per series; a null point is marked undefined, not joined', async () => {
  const svg = await lineChartSvg(
    [
      { name: 'conv1', points: [{ x: 0.5, y: 1 }, { x: 0.9, y: -0.5 }, { x: 0.95, y: null }] },
      { name: 'fc', points: [{ x: 0.5, y: 2 }, { x: 0.9, y: 0.5 }] },
    ],
    { title: 'Δr by sparsity', rule: 0, yTitle: 'Δr' },
  );
  assert.match(svg, /^<svg/);
  assert.match(svg, /conv1/);
  assert.match(svg, /Δr by sparsity/);
  // 4 finite points, and a × for the undefined one
  assert.equal((svg.match(/aria-roledescription="point"/g) ?? []).length, 5);
  assert.match(svg, /aria-label="conv1: undefined at 0\.95"/);
  assert.equal((svg.match(/aria-roledescription="line mark"/g) ?? []).length, 2);
  assert.match(svg, /aria-roledescription="rule mark"/);
});

test('barChartSvg and htmlPage make a self-contained page', async () => {
  const svg = await barChartSvg([
    { group: 'conv1', series: '50%', value: 1 }, { group: 'conv1', series: '90%', value: -1 },
    { group: 'fc<&>', series: '50%', value: null },
  ], { rule: 0 });
  assert.match(svg, /<svg/);
  const page = htmlPage('Report <x>', [{ heading: 'Chart', html: svg, text: 'a & b' }, { heading: 'T', html: htmlTable(['a', 'b'], [[1, null]]) }]);
  assert.match(page, /<title>Report &lt;x&gt;<\/title>/);
  assert.match(page, /a &amp; b/);
  assert.match(page, /<td>—<\/td>/);
  assert.doesNotMatch(page, /<script|https?:\/\/(?!www\.w3\.org)/);
});
