// Rendering of an Analysis: the terminal table and the self-contained HTML report
// (Δr and IMDB per layer and across mask levels, drawn with src/report/chart.ts).
import { barChartSvg, htmlPage, htmlTable, lineChartSvg, type BarDatum, type Series } from '../report/chart.ts';
import type { Analysis, GraphRecord } from './analyze.ts';

const SYMBOL = { 'delta-r': 'Δr', imdb: 'IMDB', 'delta-s': 'Δs' } as const;

export function levelLabel(level: number | null): string {
  return level === null ? 'as is' : `${+(level * 100).toFixed(2)}%`;
}

/** "layer graph[ dN][gate]"; the direction only for layers that have two. */
export function graphLabel(r: GraphRecord, multiDir: Set<string>): string {
  return `${r.layer} ${r.graph}${multiDir.has(r.layer) ? ` d${r.direction}` : ''}${r.gate ? `[${r.gate}]` : ''}`;
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

function rowOf(r: GraphRecord): string[] {
  return [
    r.layer, r.graph, r.gate ?? '', String(r.direction), levelLabel(r.level), `${(r.sparsity * 100).toFixed(1)}%`,
    `${r.nL}×${r.nR}`, String(r.edges), num(r.dL, 2), num(r.dR, 2), num(r.mu0), num(r.muHat), num(r.deltaR),
    r.imdb === null ? '—' : `${num(r.imdb)} (${r.imdbGroups})`, num(r.deltaS), num(r.narc, 4), verdict(r.ramanujan),
  ];
}

function pad(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  return rows.map((r) => r.map((c, i) => (i < 5 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

/** The per-graph table plus a per-layer verdict summary, for the terminal. */
export function renderTable(a: Analysis, opts: { gates?: boolean } = {}): string {
  const recs = a.records.filter((r) => opts.gates !== false || r.gate === null);
  let out = pad([HEADERS, ...recs.map(rowOf)]);
  const crit = SYMBOL[a.criterion] + (a.requireNarc ? ` and NaRC (${a.narcConvention}) > 0` : '');
  out += `\nLayer verdicts (${crit} ≥ 0 on every stacked graph; undef: the quantity is not defined, e.g. average degree < 3):\n`;
  const layers = [...new Set(a.layers.map((l) => l.layer))];
  const rows = [['layer', ...a.levels.map(levelLabel), 'first failing level']];
  for (const name of layers) {
    const ls = a.layers.filter((l) => l.layer === name);
    const first = ls.find((l) => l.level !== null && l.ramanujan === false);
    rows.push([name, ...ls.map((l) => verdict(l.ramanujan) + (l.ramanujan === true ? '' : l.failing ? ` (${l.failing})` : '')), first ? levelLabel(first.level) : '—']);
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  out += rows.map((r) => r.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd()).join('\n') + '\n';
  return out;
}

/** A self-contained HTML report: charts (inline SVG) and the full tables. */
export async function renderHtml(a: Analysis, title: string): Promise<string> {
  const stacked = a.records.filter((r) => r.gate === null);
  const multiDir = new Set(a.records.filter((r) => r.direction > 0).map((r) => r.layer));
  const bars = (key: 'deltaR' | 'imdb'): BarDatum[] =>
    stacked.map((r) => ({ group: graphLabel(r, multiDir), series: levelLabel(r.level), value: r[key] }));
  const sections = [];
  sections.push({
    heading: 'What this shows',
    text: `Every prunable weight is a bipartite graph (inputs → outputs, an edge per nonzero weight). ` +
      `Δr = √(dL−1) + √(dR−1) − μ̂ ≥ 0 means the graph meets the Ramanujan bound; IMDB averages Δr over the ` +
      `subgraphs of equal-degree input vertices. Levels other than "as is" apply a magnitude mask in memory ` +
      `(keep the largest |w| of each stacked graph); nothing is written. Verdict criterion: ${SYMBOL[a.criterion]}` +
      `${a.requireNarc ? ` with NaRC (${a.narcConvention}) > 0` : ''}. Undefined values (average degree under 3, ` +
      `no qualifying degree group) are left out of the charts and shown as — in the tables.`,
  });
  sections.push({ heading: 'Δr per layer', html: await barChartSvg(bars('deltaR'), { yTitle: 'Δr', rule: 0, width: 760 }) });
  sections.push({ heading: 'IMDB per layer', html: await barChartSvg(bars('imdb'), { yTitle: 'IMDB', rule: 0, width: 760 }) });
  const levels = a.levels.filter((l): l is number => l !== null);
  if (levels.length > 0) {
    const lines = (key: 'deltaR' | 'imdb'): Series[] => {
      const names = [...new Set(stacked.map((r) => graphLabel(r, multiDir)))];
      return names.map((name) => ({
        name,
        points: stacked.filter((r) => r.level !== null && graphLabel(r, multiDir) === name).map((r) => ({ x: r.level!, y: r[key] })),
      }));
    };
    const xDomain: [number, number] = [Math.min(...levels), Math.max(...levels)];
    const opts = (y: string) => ({ xTitle: 'sparsity (magnitude mask)', yTitle: y, rule: 0, width: 760, xDomain });
    sections.push({ heading: 'Δr across mask levels (a line stops where Δr becomes undefined)', html: await lineChartSvg(lines('deltaR'), opts('Δr')) });
    sections.push({ heading: 'IMDB across mask levels', html: await lineChartSvg(lines('imdb'), opts('IMDB')) });
  }
  const layerNames = [...new Set(a.layers.map((l) => l.layer))];
  sections.push({
    heading: 'Layer verdicts',
    html: htmlTable(['layer', ...a.levels.map(levelLabel)], layerNames.map((name) => [
      name, ...a.layers.filter((l) => l.layer === name).map((l) => verdict(l.ramanujan) + (l.ramanujan !== true && l.failing ? ` (${l.failing})` : '')),
    ])),
  });
  sections.push({ heading: 'All graphs', html: htmlTable(HEADERS, a.records.map(rowOf)) });
  return htmlPage(title, sections);
}
