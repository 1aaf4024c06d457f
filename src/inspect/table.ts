// Plain-text rendering of an InspectReport. Every name in it comes from the model
// file and is printed through `printable` (a name can hold a newline or a terminal
// escape sequence); the JSON form needs nothing, JSON.stringify escapes controls.
import { shapeString } from '../../runtime/tensor.ts';
import { printable as p } from '../io/terminal.ts';
import type { InspectReport, LayerRow } from './report.ts';

const shape = (dims: Parameters<typeof shapeString>[0]): string => p(shapeString(dims));

/** 1234567 → '1.23M'; exact below 10,000 so small fixtures read exactly. */
export function humanCount(n: number | null): string {
  if (n === null) return '?';
  if (n < 10_000) return String(n);
  for (const [div, unit] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'K']] as const) {
    if (n >= div) return (n / div).toPrecision(3) + unit;
  }
  return String(n);
}

const pct = (x: number | null): string => (x === null ? '-' : (100 * x).toFixed(1) + '%');

export function renderReport(r: InspectReport, all: boolean): string {
  const lines: string[] = [];
  if (r.file) lines.push(`model: ${p(r.file)}`);
  if (r.producer) lines.push(`producer: ${p(r.producer)}`);
  lines.push(`opset: ${r.opset.map((o) => `${p(o.domain || 'ai.onnx')} ${o.version}`).join(', ')}`);
  for (const i of r.inputs) {
    lines.push(`input  ${p(i.name)}: ${i.dtype} ${i.shape ? shape(i.shape) : '?'}${i.bound ? ` -> ${shape(i.bound)}` : ''}`);
  }
  for (const o of r.outputs) lines.push(`output ${p(o.name)}: ${o.dtype} ${o.shape ? shape(o.shape) : '?'}`);
  const syms = r.bindings.map((b) => `${p(String(b.symbol ?? '?'))}=${b.value} (${b.role})`);
  // Only mention the sizes that were applied: a model with a fixed batch ignores --batch.
  const at: string[] = [];
  if (r.bindings.some((b) => b.role === 'batch')) at.push(`batch ${r.batch}`);
  if (r.bindings.some((b) => b.role === 'seq')) at.push(`seq-len ${r.seqLen}`);
  lines.push(syms.length
    ? `MACs per inference at ${at.length ? at.join(', ') : 'the given dims'}; bound ${[...new Set(syms)].join(', ')}`
    : 'MACs per inference at the model\'s fixed input shapes');
  if (r.shapeWarning) lines.push(`warning: ${p(r.shapeWarning)}`);
  lines.push('');

  const shown = all ? r.layers : r.layers.filter((l) => l.weights.length > 0 || (l.macs ?? 0) > 0 || l.status !== 'supported');
  const header = ['node', 'op', 'weights', 'params', 'sparsity', 'MACs', 'MACs@sparsity', 'status'];
  const rows = shown.map((l) => row(l));
  rows.push(['TOTAL', `${r.totals.nodes} nodes`, '', humanCount(r.totals.params), pct(r.totals.sparsity), humanCount(r.totals.macs), humanCount(r.totals.sparseMacs), '']);
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((x) => x[k].length)));
  const fmt = (cells: string[]): string => cells.map((c, k) => (k >= 3 && k <= 6 ? c.padStart(widths[k]) : c.padEnd(widths[k]))).join('  ').trimEnd();
  lines.push(fmt(header));
  lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.slice(0, -1).forEach((x) => lines.push(fmt(x)));
  lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  lines.push(fmt(rows[rows.length - 1]));

  const hidden = r.layers.length - shown.length;
  if (hidden > 0) {
    const ops = new Map<string, number>();
    for (const l of r.layers) if (!shown.includes(l)) ops.set(l.op, (ops.get(l.op) ?? 0) + 1);
    lines.push(`(${hidden} nodes without weights not shown: ${[...ops].map(([o, n]) => `${p(o)}×${n}`).join(', ')}; --all lists them)`);
  }
  if (r.unsupported.length > 0) {
    lines.push(`unsupported ops: ${[...new Set(r.unsupported.map((u) => p(u.domain ? `${u.domain}::${u.op}` : u.op)))].join(', ')} — rampart cannot run or compile this model as is`);
  }
  return lines.join('\n') + '\n';
}

function row(l: LayerRow): string[] {
  return [
    p(l.node),
    p(l.domain && l.domain !== 'ai.onnx' ? `${l.domain}::${l.op}` : l.op),
    l.weights.map((w) => shape(w.dims)).join(' '),
    humanCount(l.params),
    pct(l.sparsity),
    humanCount(l.macs),
    humanCount(l.sparseMacs),
    l.status === 'supported' ? '' : l.status,
  ];
}
