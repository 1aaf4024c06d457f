// `rampart compile <model> --target onnx-csr|onnx-sparse|c|wasm -o OUT`: writes the
// model in a sparse storage (targets/; a folder for the wasm target) and reports each
// layer's and the artifact's size (the flash estimate for c) against the dense model.
import { join } from 'node:path';
import { Command } from 'commander';
import { RampartError } from '../../../runtime/errors.ts';
import { loadModel } from '../../onnx/import.ts';
import { encodeModel } from '../../onnx/export.ts';
import { writeFileAtomic, writeFilesAtomically } from '../../io/atomic.ts';
import { TARGETS, type CompileResult } from '../../../targets/index.ts';
import { DEVICES } from '../../../targets/c/index.ts';
import { EMULATED_DEVICES, Firmware } from '../../../targets/c/firmware/index.ts';
import type { Model, Tensor } from '../../../runtime/ir.ts';
import { createRunner } from '../../eval/runner.ts';
import { rng } from '../../util/random.ts';

interface CompileCliOptions { target: string; output: string; maxDensity?: string; json?: boolean; device?: string; seqLen?: string; block?: string; firmware?: string }

export function register(program: Command): void {
  program
    .command('compile')
    .description('Compile a (pruned) model: CSR in ai.rampart function ops (onnx-csr), standard COO sparse initializers (onnx-sparse), one C99 file for microcontrollers (c), or a WebAssembly module with its loader (wasm)')
    .argument('<model>', 'the .onnx model (pruned: exact zeros are what gets dropped)')
    .requiredOption('-t, --target <name>', `target: ${Object.keys(TARGETS).join(', ')}`)
    .requiredOption('-o, --output <path>', 'the output file (written atomically); for wasm, a folder')
    .option('--max-density <d>', 'convert a layer only below this density (default: where the target gets smaller, 2/3 for onnx-csr, 1/3 for onnx-sparse)')
    .option('--json', 'print the size report as JSON')
    .option('--device <name>', `c: size the model for this device and refuse it if it does not fit (${Object.keys(DEVICES).join(', ')})`)
    .option('--block <shape>', 'onnx-csr: block-CSR storage: auto (blocks wherever they take fewer bytes; default), none, or one shape RxC (8x1, 16x1, 1x4)')
    .option('--firmware <dir>', `c with --device ${EMULATED_DEVICES.filter((d) => d !== 'mps2-an385').join('|')}: also write a test firmware folder for that board (build.sh builds it with clang + ld.lld and runs it in qemu-system-arm)`)
    .option('--seq-len <T>', 'c, wasm: value of symbolic non-batch input dims (shapes are fixed at compile time; batch is 1; default 28)')
    .addHelpText('after', [
      '',
      'onnx-csr: Rampart\'s runtime runs the CSR ops natively (InferenceSession, rampart run --runtime js|wasm);',
      'onnxruntime runs them through their function bodies (standard ops that rebuild the dense weight) with the same outputs.',
      'onnx-sparse: any ONNX tool loads it; loaders densify the weights, so it saves size only.',
      'c: one self-contained C99 file (rampart_run, and rampart_stream_step for recurrent models), static memory only; the size shown is the flash estimate.',
      'wasm: DIR/model.wasm (no imports), DIR/index.js (create(), run(input), step(frame) / reset() for recurrent models), DIR/index.d.ts.',
    ].join('\n'))
    .action(async (modelPath: string, opts: CompileCliOptions) => {
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
      if (opts.firmware !== undefined && (target.name !== 'c' || opts.device === undefined)) {
        throw new RampartError('--firmware needs --target c and --device', { expected: `--target c --device ${EMULATED_DEVICES.join('|')} --firmware DIR` });
      }
      const result = target.compile(model, { maxDensity, file: modelPath, device: opts.device, seqLen, block: opts.block });
      if (target.output === 'directory') writeFilesAtomically(opts.output, result.files ?? []);
      else writeFileAtomic(opts.output, result.bytes);
      process.stdout.write(opts.json ? JSON.stringify(sizeReport(modelPath, opts.output, target.name, denseBytes, result), null, 1) + '\n'
        : renderSizes(opts.output, target.name, denseBytes, result) + (result.summary ? result.summary.join('\n') + '\n' : ''));
      if (opts.firmware !== undefined) {
        await writeFirmware(model, modelPath, opts.firmware, { device: opts.device!, seqLen });
        if (!opts.json) process.stdout.write(`\n${opts.firmware}: test firmware for ${opts.device}; build and run it with: sh ${join(opts.firmware, 'build.sh')}\n`);
      }
    });
}

function sizeReport(input: string, output: string, target: string, denseBytes: number, r: CompileResult) {
  const size = r.size?.bytes ?? r.bytes.length;
  return { input, output, target, denseFileBytes: denseBytes, fileBytes: r.bytes.length, ...(r.size ? { sizeBytes: size, sizeLabel: r.size.label } : {}), ratio: size / denseBytes, layers: r.layers };
}

function renderSizes(output: string, target: string, denseBytes: number, r: CompileResult): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const rows = r.layers.map((l) => [l.layer, l.op, l.action, l.density.toFixed(3), kb(l.denseBytes), kb(l.storedBytes),
    `${((l.storedBytes / Math.max(1, l.denseBytes)) * 100).toFixed(0)}%`, l.note ?? '']);
  const head = ['layer', 'op', 'stored as', 'density', 'dense', 'stored', 'ratio', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const size = r.size?.bytes ?? r.bytes.length;
  return [
    line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '',
    `${output} (${target}): ${r.size ? `${r.size.label} ` : ''}${kb(size)}, dense model ${kb(denseBytes)} (${((size / denseBytes) * 100).toFixed(1)}%)`, '',
  ].join('\n');
}

/**
 * `--firmware DIR` (target c with a device QEMU models): the test firmware folder
 * (targets/c/firmware): the model's C, startup, harness main, linker script, two
 * deterministic [0, 1) samples and onnxruntime-node's outputs on them (the firmware
 * checks its own outputs against these within 1e-5), and build.sh, which builds it with
 * clang + ld.lld and runs it in qemu-system-arm.
 */
async function writeFirmware(model: Model, modelPath: string, dir: string, opts: { device: string; seqLen?: number }): Promise<string[]> {
  const fw = new Firmware(model, { device: opts.device, seqLen: opts.seqLen, file: modelPath });
  try {
    const r = rng(12);
    const samples = [0, 1].map(() => fw.c.io.inputs.map((t): Tensor => ({ dtype: 'float32', dims: t.dims, data: Float32Array.from({ length: t.size }, () => r(0, 1)) })));
    const ort = await createRunner({ model, path: modelPath }, 'ort');
    const expected: Float32Array[] = [];
    try {
      for (const s of samples) {
        const out = await ort.run(Object.fromEntries(fw.c.io.inputs.map((t, i) => [t.name, s[i]])));
        expected.push(Float32Array.from(fw.c.io.outputs.flatMap((o) => Array.from(out[o.name].data as Float32Array))));
      }
    } finally {
      await ort.close();
    }
    const flat = samples.map((s) => Float32Array.from(s.flatMap((t) => Array.from(t.data as Float32Array))));
    const files = fw.sources(flat, expected).map((f) => ({ name: f.name, bytes: new TextEncoder().encode(f.text) }));
    const nested = files.filter((f) => f.name.includes('/'));
    writeFilesAtomically(join(dir, 'include'), nested.map((f) => ({ ...f, name: f.name.slice(f.name.indexOf('/') + 1) })));
    return [...writeFilesAtomically(dir, files.filter((f) => !f.name.includes('/'))), ...nested.map((f) => join(dir, f.name))];
  } finally {
    fw.close();
  }
}
