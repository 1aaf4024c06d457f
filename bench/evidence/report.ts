// docs/EVIDENCE.md and its charts, rebuilt from bench/results/evidence.json: the
// evidence table per model, the guard variants, the LSTM fine-tuning selection, the
// SNIP coverage check, and one chart per model and part — accuracy against sparsity
// with a vertical rule where Δr turns negative (the guard's limit).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/io/atomic.ts';
import { specToSvg } from '../../src/report/chart.ts';
import type { EvidenceFile, ModelEvidence, PruneOutcome } from './types.ts';
import { ftLabel } from './common.ts';
import type { SweepPart } from './sweep.ts';

const f4 = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? '—' : x.toFixed(4));
const f3 = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(3));
const pts = (x: number, ref: number) => `${((x - ref) * 100 >= 0 ? '+' : '')}${((x - ref) * 100).toFixed(1)}`;

function perLayer(o: PruneOutcome): string {
  return o.layers.map((l) => `${l.graph === 'weight' ? l.layer : l.graph} ${l.sparsity.toFixed(3)}`).join(', ');
}

function outcomeRow(m: ModelEvidence, o: PruneOutcome, label: string): string {
  const e = o.afterEpochs;
  return `| ${m.name} | ${label} | ${f4(m.dense)} | ${perLayer(o)} | **${o.overall.toFixed(4)}** | ${f4(o.afterPrune)} | ${f4(e[0])} | ${f4(e[1])} (${pts(e[1] ?? e[0], m.dense)}) | ${f4(o.ortAfter)} |`;
}

/** A drop of more than this (as a fraction) below dense counts as "accuracy falls". */
const FALL = 0.02;

function fallsAt(ref: number, s: SweepPart, get: (r: SweepPart['rows'][number]) => number | null): string {
  const r = s.rows.find((x) => (get(x) ?? 1) < ref - FALL);
  return r ? String(r.level) : '—';
}

const HEAD = ['| model | guard | dense | sparsity per weight | overall | after pruning | +1 epoch | +2 epochs (Δ vs dense, points) | +2 epochs (onnxruntime) |', '|---|---|---:|---|---:|---:|---:|---:|---:|'];

async function sweepChart(m: ModelEvidence, s: SweepPart): Promise<string> {
  const series: { s: string; x: number; y: number }[] = [];
  const add = (name: string, get: (r: SweepPart['rows'][number]) => number | null) => {
    for (const r of s.rows) { const y = get(r); if (y !== null) series.push({ s: name, x: r.level, y }); }
  };
  add('unguarded, after pruning', (r) => r.unguarded.accuracy);
  add('guarded, after pruning', (r) => r.guarded.accuracy);
  add('unguarded, +1 epoch', (r) => r.unguarded.accuracyTuned);
  add('guarded, +1 epoch', (r) => r.guarded.accuracyTuned);
  const rules = Object.entries(s.limit).map(([w, x]) => ({ x, label: `Δr = 0 (${s.weights.length > 1 ? w : s.part}) at ${x.toFixed(3)}` }));
  const x = { field: 'x', type: 'quantitative', title: `sparsity of the ${s.part} weights (requested level)`, scale: { domain: [0.45, 1], zero: false } };
  const names = ['unguarded, after pruning', 'unguarded, +1 epoch', 'guarded, after pruning', 'guarded, +1 epoch'];
  const color = { field: 's', type: 'nominal', title: null, scale: { domain: names, range: ['#f28e2b', '#e15759', '#76b7b2', '#4e79a7'] }, legend: { labelLimit: 0, orient: 'bottom', columns: 2 } };
  const spec = {
    width: 520, height: 260,
    title: `${m.name}: accuracy vs ${s.part} sparsity (others dense)`,
    layer: [
      { data: { values: series }, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'y', type: 'quantitative', title: 'test accuracy', scale: { zero: false } }, color } },
      { data: { values: rules }, mark: { type: 'rule', color: '#c0392b', strokeDash: [5, 3] }, encoding: { x: { field: 'x', type: 'quantitative' } } },
      // Labels along the bottom, one line per weight, right-aligned to their rule.
      { data: { values: rules.map((r, i) => ({ ...r, y: 250 - 12 * i })) }, mark: { type: 'text', align: 'right', dx: -4, color: '#c0392b', fontSize: 10 }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative', scale: null }, text: { field: 'label' } } },
      { data: { values: [{ y: m.dense, label: `dense ${m.dense.toFixed(3)}` }] }, mark: { type: 'rule', color: '#888', strokeDash: [2, 2] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
      { data: { values: [{ y: m.dense, label: `dense ${m.dense.toFixed(3)}` }] }, mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#666', fontSize: 10 }, encoding: { x: { value: 0 }, y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  };
  return specToSvg(spec);
}

function sweepTable(m: ModelEvidence, s: SweepPart): string[] {
  const tuned = s.rows.some((r) => r.unguarded.accuracyTuned !== null);
  const lines = [
    `**${s.part}** (${s.weights.join(', ')}): Δr of the magnitude mask turns negative above ${Object.entries(s.limit).map(([w, x]) => `${x.toFixed(4)}${s.weights.length > 1 ? ` (${w})` : ''}`).join(', ')}` +
      `; first swept level failing: ${s.firstFailingLevel ?? 'none'}.`, '',
    `| level | Δr unguarded (min) | acc. unguarded | guarded sparsity | acc. guarded |${tuned ? ' +1 ep. unguarded | +1 ep. guarded |' : ''}`,
    `|---:|---:|---:|---:|---:|${tuned ? '---:|---:|' : ''}`,
  ];
  for (const r of s.rows) {
    const cr = Object.values(r.unguarded.criterion);
    const minCr = cr.some((v) => v === null) ? 'undefined' : f3(Math.min(...(cr as number[])));
    const gs = Object.values(r.guarded.sparsity);
    const mark = r.level > s.crossing ? ' ▲' : '';
    lines.push(`| ${r.level}${mark} | ${minCr} | ${f4(r.unguarded.accuracy)} | ${gs.map((x) => x.toFixed(3)).join('/')} | ${f4(r.guarded.accuracy)} |${tuned ? ` ${f4(r.unguarded.accuracyTuned)} | ${f4(r.guarded.accuracyTuned)} |` : ''}`);
  }
  lines.push('', `▲ = above the Δr = 0 crossing of at least one weight. Dense: ${f4(m.dense)}.`, '');
  return lines;
}

export async function writeEvidenceDocs(file: EvidenceFile, dir: string, svgPrefix: string): Promise<void> {
  const svgDir = join(dir, svgPrefix);
  mkdirSync(svgDir, { recursive: true });
  const models = ['lstm', 'gru', 'rnn', 'cnn'].filter((n) => file.models[n]).map((n) => file.models[n]).concat(
    Object.values(file.models).filter((m) => !['lstm', 'gru', 'rnn', 'cnn'].includes(m.name)));
  const c = file.conditions;
  const L: string[] = ['# Evidence: pruning the zoo under the spectral-gap guard', ''];
  L.push('Generated by `npx tsx bench/evidence.ts` from `bench/results/evidence.json` (do not edit by hand).', '');
  L.push('## Conditions', '');
  for (const [k, v] of Object.entries(c)) L.push(`- ${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  for (const m of models) {
    L.push(`- ${m.name}: ${m.description}; ${m.dataset}, fine-tuning on ${m.guarded.finetune.trainSamples} training samples, ${m.testSamples} test samples; ` +
      `sweep fine-tuning ${m.sweepFinetune ? `${m.sweepFinetune.epochs} epoch on ${m.sweepFinetune.trainSamples} samples` : 'none'}; ` +
      `runs: ${m.runs.map((r) => `${r.date} (${r.sections}, ${r.seconds === undefined ? '—' : r.seconds.toFixed(0)} s, load average at start ${r.loadavgAtStart.map((x) => x.toFixed(1)).join('/')}, commit ${r.commit})`).join('; ')}`);
  }
  L.push('', '## Evidence table', '', 'Magnitude scores. "delta-r": `--sparsity auto` under the Δr guard (each weight to its limit). "none": one global magnitude threshold at the same overall sparsity. Fine-tuning: ' + ftLabel({ lr: 1e-3, batchSize: 64 }) + ', Adam, masks fixed.', '');
  L.push(...HEAD);
  for (const m of models) {
    L.push(outcomeRow(m, m.guarded, 'Δr (auto)'));
    L.push(outcomeRow(m, m.unguarded, 'none, same sparsity'));
  }
  const lstm = file.models.lstm;
  if (lstm?.selection) {
    const s = lstm.selection;
    L.push('', '## LSTM target: within 1 point of dense after ≤ 2 epochs at the guard\'s sparsity', '');
    L.push(`Fine-tuning hyperparameters selected on held-out training data: fine-tune on the first ${s.trainSamples} training samples, score on the remaining ${s.heldOutSamples} (dense model on them: ${f4(s.denseHeldOut)}). ${s.caveat}. The test split was not used to select.`, '');
    L.push('| candidate | held-out +1 epoch | held-out +2 epochs | seconds |', '|---|---:|---:|---:|');
    for (const k of s.candidates) L.push(`| ${k.label}${ftLabel(k.config) === ftLabel(s.selected) ? ' **(selected)**' : ''} | ${f4(k.heldOut[0])} | ${f4(k.heldOut[1])} | ${k.seconds.toFixed(0)} |`);
    L.push('', `Selected: ${ftLabel(s.selected)}; run once on the full training split (${s.guarded.finetune.trainSamples} samples), measured on the test split:`, '');
    L.push(...HEAD);
    L.push(outcomeRow(lstm, s.guarded, 'Δr (auto)'));
    L.push(outcomeRow(lstm, s.unguarded, 'none, same sparsity'));
    if (s.seeds?.length) {
      L.push('', 'The selected schedule with other batch orders (fine-tuning seed; seed 0 is the row above):', '');
      L.push('| seed | Δr (auto): +1 epoch | +2 epochs | none: +1 epoch | +2 epochs |', '|---:|---:|---:|---:|---:|');
      for (const r of [{ seed: 0, guarded: s.guarded, unguarded: s.unguarded }, ...s.seeds]) {
        L.push(`| ${r.seed} | ${f4(r.guarded.afterEpochs[0])} | ${f4(r.guarded.afterEpochs[1])} (${pts(r.guarded.afterEpochs[1], lstm.dense)}) | ${f4(r.unguarded.afterEpochs[0])} | ${f4(r.unguarded.afterEpochs[1])} (${pts(r.unguarded.afterEpochs[1], lstm.dense)}) |`);
      }
      const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
      const all = [s.guarded, ...s.seeds.map((r) => r.guarded)].map((o) => o.afterEpochs[1]);
      L.push('', `Δr (auto) after 2 epochs over ${all.length} seeds: mean ${f4(mean(all))}, min ${f4(Math.min(...all))}, max ${f4(Math.max(...all))}.`);
    }
    const best = s.guarded.afterEpochs[1] ?? s.guarded.afterEpochs[0];
    L.push('', `Target (≥ ${f4(lstm.dense - 0.01)}): ${best >= lstm.dense - 0.01 ? '**met**' : '**not met**'} — ${f4(best)} after 2 epochs (${pts(best, lstm.dense)} points). Default fine-tuning (${ftLabel(lstm.guarded.finetune.config)}): ${f4(lstm.guarded.afterEpochs[1])} (${pts(lstm.guarded.afterEpochs[1], lstm.dense)}).`);
  }
  const withTransfer = models.filter((m) => m.transfer);
  if (withTransfer.length) {
    L.push('', '## The LSTM\'s selected schedule on the other models', '', `${ftLabel(withTransfer[0].transfer!.config)} — selected on the LSTM's held-out training data, applied unchanged (not re-selected per model).`, '');
    L.push(...HEAD);
    for (const m of withTransfer) {
      L.push(outcomeRow(m, m.transfer!.guarded, 'Δr (auto)'));
      L.push(outcomeRow(m, m.transfer!.unguarded, 'none, same sparsity'));
    }
  }
  const withVariants = models.filter((m) => m.variants?.length);
  if (withVariants.length) {
    L.push('', '## Guard variants', '', 'Same magnitude scores and `--sparsity auto`, other guard options; fine-tuning as selected for the LSTM (else the default).', '');
    L.push(HEAD[0] + ' fine-tuning |', HEAD[1] + '---|');
    for (const m of withVariants) for (const v of m.variants!) L.push(outcomeRow(m, v, v.guard) + ` ${ftLabel(v.finetune.config)} |`);
  }
  if (lstm?.snip?.length) {
    L.push('', '## SNIP and `--min-coverage` (LSTM)', '', 'SNIP scores (one batch of 256 training samples), Δr guard, `--sparsity auto`; coverage = min(non-isolated inputs / all inputs, non-isolated outputs / all outputs) over the weight\'s graphs; one fine-tuning epoch on the full training split.', '');
    L.push('| min-coverage | sparsity per weight (coverage) | overall | after pruning | +1 epoch |', '|---|---|---:|---:|---:|');
    for (const r of lstm.snip) {
      L.push(`| ${r.minCoverage ?? 'off'} | ${r.layers.map((l) => `${l.graph === 'weight' ? l.name : l.graph} ${l.sparsity.toFixed(3)} (${f3(l.coverage)})`).join(', ')} | ${r.overall.toFixed(4)} | ${f4(r.afterPrune)} | ${f4(r.afterEpoch1)} |`);
    }
  }
  L.push('', '## Sweeps: where accuracy falls vs where Δr turns negative', '');
  L.push(`"Falls at": the first swept level whose unguarded accuracy is more than ${FALL * 100} points below a reference (— : none up to 0.98) — after pruning, below dense; after one fine-tuning epoch (on a 2,000-sample subset, which does not recover dense accuracy even at low sparsity), below the same series at the lowest level (0.5). The crossing is the guard's limit on the magnitude masks (the highest sparsity with Δr ≥ 0; min over the part's weights).`, '');
  L.push('| model | part | Δr = 0 crossing | falls at, after pruning | falls at, +1 epoch | +1 epoch at 0.5 | at the last level ≤ crossing | at the first level above it |', '|---|---|---:|---:|---:|---:|---:|---:|');
  for (const m of models) for (const s of m.sweep) {
    const below = s.rows.filter((r) => r.level <= s.crossing).at(-1);
    const above = s.rows.find((r) => r.level > s.crossing);
    const at = (r: SweepPart['rows'][number] | undefined) => (r ? `${f4(r.unguarded.accuracyTuned)} (${r.level})` : '—');
    const start = s.rows[0]?.unguarded.accuracyTuned ?? null;
    L.push(`| ${m.name} | ${s.part} | ${s.crossing.toFixed(3)} | ${fallsAt(m.dense, s, (r) => r.unguarded.accuracy)} | ${start === null ? '—' : fallsAt(start, s, (r) => r.unguarded.accuracyTuned)} | ${f4(start)} | ${at(below)} | ${at(above)} |`);
  }
  L.push('');
  L.push('One part at a time pruned by magnitude to each level (the other weights dense). Unguarded: the level as asked. Guarded: the level capped where the guard allows it (Δr ≥ 0). The vertical rule in each chart is the Δr = 0 crossing of the magnitude masks; the grey dashed line is dense accuracy.', '');
  for (const m of models) {
    if (!m.sweep.length) continue;
    L.push(`### ${m.name}`, '');
    for (const s of m.sweep) {
      const svg = `evidence-${m.name}-${s.part}.svg`;
      writeFileAtomic(join(svgDir, svg), new TextEncoder().encode(await sweepChart(m, s)));
      L.push(...sweepTable(m, s), `![${m.name} ${s.part}](${svgPrefix}${svg})`, '');
    }
  }
  // The sections other benches write (bench/frontier.ts, bench/frontier-recovery.ts) start
  // at the frontier marker and are kept as they are.
  const path = join(dir, 'EVIDENCE.md');
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const keep = old.indexOf('<!-- frontier:start');
  writeFileAtomic(path, new TextEncoder().encode(L.join('\n') + '\n' + (keep >= 0 ? '\n' + old.slice(keep) : '')));
}
