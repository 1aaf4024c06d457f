// `rampart analyze`: the spectral expansion of every prunable layer, as loaded and
// at previewed magnitude-mask levels, with the Ramanujan verdict per graph and layer.
import { Command } from 'commander';
import { RampartError } from '../../../runtime/errors.ts';
import { loadModel } from '../../onnx/import.ts';
import { writeFileAtomic } from '../../onnx/export.ts';
import { BLOCK_LAYOUTS, parseBlockShape } from '../../prune/blocks.ts';
import { analyzeModel } from '../../spectral/analyze.ts';
import { renderHtml, renderTable } from '../../spectral/report.ts';
import type { Criterion, NarcConvention } from '../../spectral/metrics.ts';

interface AnalyzeFlags {
  at?: string;
  criterion: string;
  requireNarc?: boolean;
  narc: string;
  gates: boolean;
  block?: string;
  blockLayout: string;
  json?: string;
  html?: string;
}

const CRITERIA = ['delta-r', 'imdb', 'delta-s'];

export function parseLevels(s: string): number[] {
  const out = s.split(',').map((x) => x.trim()).filter((x) => x.length > 0).map((x) => {
    const pct = x.endsWith('%');
    const v = Number(pct ? x.slice(0, -1) : x) / (pct ? 100 : 1);
    if (!Number.isFinite(v) || v < 0 || v >= 1 || !/^[\d.]+%?$/.test(x)) {
      throw new RampartError(`--at level '${x}'`, { expected: 'sparsities in [0, 1) like 0.5,0.9 or 50%,90%' });
    }
    return v;
  });
  if (out.length === 0) throw new RampartError('--at is empty', { expected: 'a comma-separated list of sparsities' });
  return [...new Set(out)].sort((a, b) => a - b);
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description('Spectral analysis of every prunable layer as a bipartite graph: μ0, μ̂, Δr, IMDB, Δs, NaRC and the Ramanujan verdict')
    .argument('<model>', 'the .onnx model')
    .option('--at <levels>', 'also preview magnitude masks at these sparsities (in memory), e.g. 0.5,0.8,0.9,0.95')
    .option('--criterion <name>', 'verdict criterion: delta-r | imdb | delta-s', 'delta-r')
    .option('--require-narc', 'the verdict also needs NaRC > 0 (not indistinguishable from random)')
    .option('--narc <convention>', 'NaRC edge count: paper (e = |E|, Eq. 9) | reference (e = 2|E|, the reference code)', 'paper')
    .option('--no-gates', 'leave the per-gate graphs of LSTM/GRU weights out of the table (still in --json/--html)')
    .option('--block <RxC>', "also analyse the quotient graph of R×C blocks (block rows × block columns); --at levels become prune's block masks")
    .option('--block-layout <layout>', `block layout of recurrent weights: ${BLOCK_LAYOUTS.join(' | ')}`, 'contiguous')
    .option('--json <file>', 'write one record per (layer, graph, gate, direction, level) as JSON')
    .option('--html <file>', 'write a self-contained HTML report with charts')
    .addHelpText('after', [
      '',
      'Graphs: Gemm/MatMul weight (inputs × outputs), Conv (Cin/group·kh·kw inputs per output; grouped convs as their',
      'block-diagonal graph), RNN/GRU/LSTM input weight W and recurrent weight R per direction, stacked and per gate.',
      'Isolated vertices are dropped. Undefined quantities (e.g. Δr when an average degree is below 3) print as —.',
      'A layer is Ramanujan when the criterion is ≥ 0 on each of its stacked graphs (W and R for recurrent layers).',
      'With --block RxC each graph also gets its quotient: a vertex per block row and block column, an edge per kept',
      'block. The guard keeps judging the element graph (docs/design/spectral.md has the evidence).',
    ].join('\n'))
    .action(async (modelPath: string, flags: AnalyzeFlags) => {
      if (!CRITERIA.includes(flags.criterion)) throw new RampartError(`--criterion ${flags.criterion}`, { expected: CRITERIA.join(' | ') });
      if (flags.narc !== 'paper' && flags.narc !== 'reference') throw new RampartError(`--narc ${flags.narc}`, { expected: 'paper | reference' });
      const levels = flags.at !== undefined ? parseLevels(flags.at) : [];
      const block = flags.block !== undefined ? parseBlockShape(flags.block, flags.blockLayout) : undefined;
      const model = loadModel(modelPath);
      const t0 = performance.now();
      const analysis = analyzeModel(model, {
        levels, criterion: flags.criterion as Criterion, requireNarc: flags.requireNarc ?? false,
        narcConvention: flags.narc as NarcConvention, block,
      });
      const seconds = (performance.now() - t0) / 1000;
      if (analysis.records.length === 0) {
        process.stdout.write(`${modelPath}: no prunable weights (Gemm/MatMul/Conv/RNN/GRU/LSTM with initializer weights)\n`);
      } else {
        process.stdout.write(renderTable(analysis, { gates: flags.gates }));
        process.stdout.write(`\n${analysis.records.length} graphs analysed in ${seconds.toFixed(2)} s\n`);
      }
      const enc = new TextEncoder();
      if (flags.json) {
        const doc = { model: modelPath, ...analysis };
        writeFileAtomic(flags.json, enc.encode(JSON.stringify(doc, null, 1) + '\n'));
      }
      if (flags.html) writeFileAtomic(flags.html, enc.encode(await renderHtml(analysis, `rampart analyze: ${modelPath}`)));
    });
}
