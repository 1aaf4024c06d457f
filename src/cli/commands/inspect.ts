// `rampart inspect`: per-layer weights, parameters, sparsity and MACs of a model.
import { Command } from 'commander';
import { RampartError } from '../../../runtime/errors.ts';
import { loadModel } from '../../onnx/import.ts';
import { inspectModel, type InspectReport } from '../../inspect/report.ts';
import { renderReport } from '../../inspect/table.ts';
import { integerFlag } from '../flags.ts';

export interface InspectOptions { batch: string; seqLen: string; dim: string[]; json?: boolean; all?: boolean }

export function register(program: Command): void {
  program
    .command('inspect')
    .description('Per-layer table of a model: weight shapes, parameters, sparsity (exact zeros) and multiply-accumulates per inference')
    .argument('<model>', 'the .onnx model')
    .option('-b, --batch <N>', 'batch size for the MAC count (binds the batch dim)', '1')
    .option('-t, --seq-len <T>', 'sequence length for the MAC count (binds symbolic sequence dims)', '1')
    .option('--dim <NAME=SIZE>', 'bind a named symbolic input dim (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--all', 'list every node, not only those with weights')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', [
      '',
      'MACs count the weighted linear algebra only: Gemm/MatMul M·K·N, Conv Cout·(Cin/g)·kh·kw·Hout·Wout·N,',
      'LSTM/GRU/RNN dirs·T·B·G·H·(I+H) with G = 4/3/1. Elementwise, normalisation and pooling count 0.',
      'MACs@sparsity scales each weight\'s share by its fraction of non-zeros. Unsupported ops are flagged, not fatal.',
    ].join('\n'))
    .action((modelPath: string, opts: InspectOptions) => {
      const report = inspectCommand(modelPath, opts);
      process.stdout.write(opts.json ? JSON.stringify(report, null, 1) + '\n' : renderReport(report, opts.all ?? false));
    });
}

/** The command without the printing: flags parsed and checked, the report built. */
export function inspectCommand(modelPath: string, opts: Partial<InspectOptions>): InspectReport {
  const batch = integerFlag(opts.batch ?? '1', '--batch');
  const seqLen = integerFlag(opts.seqLen ?? '1', '--seq-len');
  const dims: Record<string, number> = {};
  for (const spec of opts.dim ?? []) {
    const eq = spec.lastIndexOf('=');
    if (eq <= 0) throw new RampartError(`--dim '${spec}'`, { expected: 'NAME=SIZE' });
    dims[spec.slice(0, eq)] = integerFlag(spec.slice(eq + 1), `--dim ${spec.slice(0, eq)}`);
  }
  return inspectModel(loadModel(modelPath), { batch, seqLen, dims, file: modelPath });
}
