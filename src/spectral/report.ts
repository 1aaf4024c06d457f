// Rendering of an Analysis: the terminal table and the self-contained HTML report
// (Δr and IMDB per layer and across mask levels, drawn with src/report/chart.ts).
// With a block shape, each row also carries its quotient graph's columns.
import { blockLabel } from '../prune/blocks.ts';
import { barChartSvg, htmlPage, htmlTable, lineChartSvg, unique, type BarDatum, type Series } from '../report/chart.ts';
import { labelMap } from '../report/labels.ts';
import type { Analysis, GraphRecord, LayerVerdict } from './analyze.ts';

const SYMBOL = { 'delta-r': 'Δr', imdb: 'IMDB', 'delta-s': 'Δs' } as const;

export function levelLabel(level: number | null): string {
  return level === null ? 'as is' : `${+(level * 100).toFixed(2)}%`;
}

function num(v: number | null, digits = 3): string {
  if (v === null) return '—';
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(1);
  return v.toFixed(digits);
}

function verdict(v: boolean | null): string {
  return v === null ? 'undef' : v ? 'yes' : 'NO';
}

const HEADERS = ['layer', 'graph', 'gate', 'dir', 'level', 'sparsity', 'nL×nR', 'edges', 'dL', 'dR', 'μ0', 'μ̂', 'Δr', 'IMDB (groups)', 'Δs', 'NaRC', 'Ramanujan'];
const NARC_COLUMN = HEADERS.indexOf('NaRC');
/** The quotient graph's columns (block rows × block columns), after the element graph's. */
const QUOTIENT_HEADERS = ['q nL×nR', 'q edges', 'q dL', 'q dR', 'q μ0', 'q μ̂', 'q Δr', 'q Ramanujan'];

/** The NaRC column is the convention asked for (`--narc`), and says which. */
function headers(a: Analysis): string[] {
  const h = [...HEADERS];
  h[NARC_COLUMN] = `NaRC (${a.narcConvention})`;
  return a.block ? [...h, ...QUOTIENT_HEADERS] : h;
}

function rowOf(r: GraphRecord, a: Analysis): string[] {
  const row = [
    r.layer, r.graph, r.gate ?? '', String(r.direction), levelLabel(r.level), `${(r.sparsity * 100).toFixed(1)}%`,
    `${r.nL}×${r.nR}`, String(r.edges), num(r.dL, 2), num(r.dR, 2), num(r.mu0), num(r.muHat), num(r.deltaR),
    r.imdb === null ? '—' : `${num(r.imdb)} (${r.imdbGroups})`, num(r.deltaS), num(a.narcConvention === 'reference' ? r.narcDirected : r.narc, 4), verdict(r.ramanujan),
  ];
  const q = r.quotient;
  if (q) row.push(`${q.nL}×${q.nR}`, String(q.edges), num(q.dL, 2), num(q.dR, 2), num(q.mu0), num(q.muHat), num(q.deltaR), verdict(q.ramanujan));
  return row;
}

function verdictCell(v: { ramanujan: boolean | null; failing: string | null }): string {
  return verdict(v.ramanujan) + (v.ramanujan === true ? '' : v.failing ? ` (${v.failing})` : '');
}

/** Per layer, one cell per level: the element verdict, or the quotient's with `quotient`. */
function verdictRows(a: Analysis, quotient: boolean): string[][] {
  const layers = [...new Set(a.layers.map((l) => l.layer))];
  return layers.map((name) => {
    const ls = a.layers.filter((l) => l.layer === name);
    const pick = (l: LayerVerdict) => (quotient ? l.quotient! : l);
    const first = ls.find((l) => l.level !== null && pick(l).ramanujan === false);
    return [name, ...ls.map((l) => verdictCell(pick(l))), first ? levelLabel(first.level) : '—'];
  });
}

function pad(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  return rows.map((r) => r.map((c, i) => (i < 5 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

/** The per-graph table plus a per-layer verdict summary, for the terminal. */
export function renderTable(a: Analysis, opts: { gates?: boolean } = {}): string {
  const recs = a.records.filter((r) => opts.gates !== false || r.gate === null);
  let out = pad([headers(a), ...recs.map((r) => rowOf(r, a))]);
  const crit = SYMBOL[a.criterion] + (a.requireNarc ? ` and NaRC (${a.narcConvention}) > 0` : '');
  const table = (rows: string[][]) => {
    const w = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
    return rows.map((r) => r.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd()).join('\n') + '\n';
  };
  const head = ['layer', ...a.levels.map(levelLabel), 'first failing level'];
  if (a.block) out += `\nBlocks ${blockLabel(a.block)}: levels are block masks; q columns are the quotient graph (block rows × block columns, an edge per kept block).\n`;
  out += `\nLayer verdicts (${crit} ≥ 0 on every stacked graph; undef: the quantity is not defined, e.g. average degree < 3):\n`;
  out += table([head, ...verdictRows(a, false)]);
  if (a.block) out += `\nQuotient-graph verdicts (the same test on block rows × block columns; the guard uses the element graph):\n` + table([head, ...verdictRows(a, true)]);
  return out;
}

/**
 * Chart labels: the layer's short name (labels.ts), its graph where a layer has more
 * than one (W, R), the direction where it has two, the gate. Tables keep full names.
 */
function chartLabels(records: GraphRecord[], multiDir: Set<string>): (r: GraphRecord) => string {
  const short = labelMap(records.map((r) => r.layer));
  const graphs = new Map<string, Set<string>>();
  for (const r of records) graphs.set(r.layer, (graphs.get(r.layer) ?? new Set()).add(r.graph));
  return (r) => `${short.get(r.layer)}${graphs.get(r.layer)!.size > 1 ? ` ${r.graph}` : ''}${multiDir.has(r.layer) ? ` d${r.direction}` : ''}${r.gate ? `[${r.gate}]` : ''}`;
}

/** A self-contained HTML report: charts (inline SVG) and the full tables. */
export async function renderHtml(a: Analysis, title: string): Promise<string> {
  const stacked = a.records.filter((r) => r.gate === null);
  const multiDir = new Set(a.records.filter((r) => r.direction > 0).map((r) => r.layer));
  const label = chartLabels(stacked, multiDir);
  const bars = (key: 'deltaR' | 'imdb'): BarDatum[] =>
    stacked.map((r) => ({ group: label(r), series: levelLabel(r.level), value: r[key] }));
  const sections = [];
  sections.push({
    heading: 'What this shows',
    text: `Every prunable weight is a bipartite graph (inputs → outputs, an edge per nonzero weight). ` +
      `Δr = √(dL−1) + √(dR−1) − μ̂ ≥ 0 means the graph meets the Ramanujan bound; IMDB averages Δr over the ` +
      `subgraphs of equal-degree vertices of the larger side. Levels other than "as is" apply a magnitude mask in memory ` +
      (a.block
        ? `(whole ${blockLabel(a.block)} blocks by RMS, as \`rampart prune --block\` makes them; the q columns and charts are the quotient graph, ` +
          `block rows × block columns with an edge per kept block)`
        : '(keep the largest |w| of each stacked graph)') +
      `; nothing is written. Verdict criterion: ${SYMBOL[a.criterion]}` +
      `${a.requireNarc ? ` with NaRC (${a.narcConvention}) > 0` : ''}. Undefined values (average degree under 3, ` +
      `no qualifying degree group) are marked "undefined" on the bars and × on the lines (which break there), ` +
      `and shown as — in the tables. Layer names on the charts are shortened (module path without repeated scopes ` +
      `and op type); the tables give them in full. The bar charts use a symmetric log scale (log(1 + |v|), sign kept), ` +
      `so the small values of sparse masks stay visible next to the dense layer's.`,
  });
  const barOpts = (y: string) => ({ yTitle: `${y} (symmetric log scale)`, rule: 0, width: 640, valueScale: 'symlog' as const });
  sections.push({ heading: 'Δr per layer', html: await barChartSvg(bars('deltaR'), barOpts('Δr')) });
  sections.push({ heading: 'IMDB per layer', html: await barChartSvg(bars('imdb'), barOpts('IMDB')) });
  const levels = a.levels.filter((l): l is number => l !== null);
  if (levels.length > 0) {
    const names = unique(stacked.map(label));
    const lines = (key: 'deltaR' | 'imdb'): Series[] => names.map((name) => ({
      name,
      points: stacked.filter((r) => r.level !== null && label(r) === name).map((r) => ({ x: r.level!, y: r[key] })),
    }));
    const xDomain: [number, number] = [Math.min(...levels), Math.max(...levels)];
    const opts = (y: string) => ({ xTitle: 'sparsity (magnitude mask)', yTitle: y, rule: 0, width: 760, xDomain });
    sections.push({ heading: 'Δr across mask levels (a line breaks where Δr is undefined, marked ×)', html: await lineChartSvg(lines('deltaR'), opts('Δr')) });
    sections.push({ heading: 'IMDB across mask levels', html: await lineChartSvg(lines('imdb'), opts('IMDB')) });
    if (a.block) {
      const q: Series[] = names.flatMap((name) => {
        const rs = stacked.filter((r) => r.level !== null && label(r) === name);
        return [
          { name: 'element', panel: name, points: rs.map((r) => ({ x: r.level!, y: r.deltaR })) },
          { name: 'quotient', panel: name, points: rs.map((r) => ({ x: r.level!, y: r.quotient!.deltaR })) },
        ];
      });
      sections.push({ heading: `Δr of the element graph and of the quotient graph (${blockLabel(a.block)} blocks) across levels`, html: await lineChartSvg(q, { ...opts('Δr'), xTitle: 'sparsity (block mask)' }) });
    }
  }
  const head = ['layer', ...a.levels.map(levelLabel), 'first failing level'];
  sections.push({ heading: 'Layer verdicts', html: htmlTable(head, verdictRows(a, false)) });
  if (a.block) sections.push({ heading: 'Quotient-graph verdicts', html: htmlTable(head, verdictRows(a, true)) });
  sections.push({ heading: 'All graphs', html: htmlTable(headers(a), a.records.map((r) => rowOf(r, a))) });
  return htmlPage(title, sections);
}
