// `rampart compile <model> --target onnx-csr|onnx-sparse -o out.onnx`: writes the
// model in a sparse storage (targets/) and reports each layer's and the file's size
// against the dense model.
import { Command } from 'commander';
import { RampartError } from '../../../runtime/errors.ts';
import { loadModel } from '../../onnx/import.ts';
import { encodeModel } from '../../onnx/export.ts';
import { writeFileAtomic } from '../../io/atomic.ts';
import { TARGETS, type CompileResult } from '../../../targets/index.ts';

interface CompileCliOptions { target: string; output: string; maxDensity?: string; json?: boolean; device?: string; seqLen?: string; block?: string }

export function register(program: Command): void {
  program
    .command('compile')
    .description('Compile a (pruned) model: CSR in ai.rampart function ops (onnx-csr), standard COO sparse initializers (onnx-sparse), or one C99 file for microcontrollers (c)')
    .argument('<model>', 'the .onnx model (pruned: exact zeros are what gets dropped)')
    .requiredOption('-t, --target <name>', `target: ${Object.keys(TARGETS).join(', ')}`)
    .requiredOption('-o, --output <file>', 'the output file (written atomically)')
    .option('--max-density <d>', 'convert a layer only below this density (default: where the target gets smaller, 2/3 for onnx-csr, 1/3 for onnx-sparse)')
    .option('--json', 'print the size report as JSON')
    .option('--device <name>', 'c: size the model for this device and refuse it if it does not fit (cortex-m4, cortex-m0plus, cortex-m7, nrf52840, esp32)')
    .option('--block <shape>', 'onnx-csr: block-CSR storage: auto (blocks wherever they take fewer bytes; default), none, or one shape RxC (8x1, 16x1, 1x4)')
    .option('--seq-len <T>', 'c: value of symbolic non-batch input dims (shapes are fixed at compile time; batch is 1; default 28)')
    .addHelpText('after', [
      '',
      'onnx-csr: Rampart\'s runtime runs the CSR ops natively (InferenceSession, rampart run --runtime js|wasm);',
      'onnxruntime runs them through their function bodies (standard ops that rebuild the dense weight) with the same outputs.',
      'onnx-sparse: any ONNX tool loads it; loaders densify the weights, so it saves size only.',
      'c: one self-contained C99 file (rampart_run, and rampart_stream_step for recurrent models), static memory only.',
    ].join('\n'))
    .action((modelPath: string, opts: CompileCliOptions) => {
      const target = TARGETS[opts.target];
      if (!target) throw new RampartError(`unknown target '${opts.target}'`, { expected: Object.keys(TARGETS).join(', ') });
      let maxDensity: number | undefined;
      if (opts.maxDensity !== undefined) {
        maxDensity = Number(opts.maxDensity);
        if (!(maxDensity > 0 && maxDensity <= 1)) throw new RampartError(`--max-density ${opts.maxDensity}`, { expected: 'a number in (0, 1]' });
      }
      const model = loadModel(modelPath);
      const denseBytes = encodeModel(model).length;
      for (const [flag, key] of [['--device', 'device'], ['--seq-len', 'seqLen'], ['--block', 'block']] as const) {
        if (opts[key] !== undefined && !target.accepts?.includes(key)) {
          const takers = Object.values(TARGETS).filter((t) => t.accepts?.includes(key)).map((t) => t.name).join(', ');
          throw new RampartError(`${flag} does not apply to target '${target.name}'`, { expected: `${flag} only with target ${takers}` });
        }
      }
      let seqLen: number | undefined;
      if (opts.seqLen !== undefined) {
        seqLen = Number(opts.seqLen);
        if (!Number.isInteger(seqLen) || seqLen < 1) throw new RampartError(`--seq-len ${opts.seqLen}`, { expected: 'a positive integer' });
      }
      const result = target.compile(model, { maxDensity, file: modelPath, device: opts.device, seqLen, block: opts.block });
      writeFileAtomic(opts.output, result.bytes);
      process.stdout.write(opts.json ? JSON.stringify(sizeReport(modelPath, opts.output, target.name, denseBytes, result), null, 1) + '\n'
        : renderSizes(opts.output, target.name, denseBytes, result) + (result.summary ? result.summary.join('\n') + '\n' : ''));
    });
}

function sizeReport(input: string, output: string, target: string, denseBytes: number, r: CompileResult) {
  return { input, output, target, denseFileBytes: denseBytes, fileBytes: r.bytes.length, ratio: r.bytes.length / denseBytes, layers: r.layers };
}

function renderSizes(output: string, target: string, denseBytes: number, r: CompileResult): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const rows = r.layers.map((l) => [l.layer, l.op, l.action, l.density.toFixed(3), kb(l.denseBytes), kb(l.storedBytes),
    `${((l.storedBytes / Math.max(1, l.denseBytes)) * 100).toFixed(0)}%`, l.note ?? '']);
  const head = ['layer', 'op', 'stored as', 'density', 'dense', 'stored', 'ratio', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [
    line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '',
    `${output} (${target}): ${kb(r.bytes.length)}, dense model ${kb(denseBytes)} (${((r.bytes.length / denseBytes) * 100).toFixed(1)}%)`, '',
  ].join('\n');
}
