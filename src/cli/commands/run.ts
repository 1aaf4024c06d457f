// `rampart run`: one inference on .npy inputs, each output written as <DIR>/<name>.npy.
import { Command, Option } from 'commander';
import type { Tensor } from '../../../runtime/ir.ts';
import { RampartError, withContext } from '../../../runtime/errors.ts';
import { shapeString } from '../../../runtime/tensor.ts';
import { encodeNpy, readNpy } from '../../io/npy.ts';
import { outputFileName } from '../../io/outputs.ts';
import { writeFilesAtomically } from '../../io/atomic.ts';
import { printable } from '../../io/terminal.ts';
import { checkFeeds } from '../../ir/shapes.ts';
import { loadModel } from '../../onnx/import.ts';
import { createRunner, RUNTIMES, type RuntimeName } from '../../eval/runner.ts';

export interface RunOptions { input: string[]; runtime: RuntimeName; outputDir: string }

/**
 * What `run` and `eval` use without --runtime: the fast backend (wasm; js where
 * WebAssembly is missing), which runs compiled onnx-csr files natively. The reference
 * interpreter stays selectable (--runtime reference) as the oracle.
 */
export const DEFAULT_RUNTIME: RuntimeName = typeof WebAssembly === 'object' ? 'wasm' : 'js';

export function register(program: Command): void {
  program
    .command('run')
    .description('Run one inference on .npy inputs and write each output as <output-dir>/<output name>.npy')
    .argument('<model>', 'the .onnx model')
    .option('-i, --input <NAME=FILE.npy>', 'a graph input from a .npy file (repeat per input; NAME= may be left out for a single-input model)', collect, [])
    .addOption(new Option('-r, --runtime <runtime>', 'what executes the model (c, wasm-module and the devices compile it for that target first: the C target run by the system cc, the wasm module in node, the firmware in qemu-system-arm)').choices(RUNTIMES).default(DEFAULT_RUNTIME))
    .requiredOption('-o, --output-dir <DIR>', 'folder for the outputs (created if missing)')
    .addHelpText('after', '\nExample:\n  rampart run model.onnx --input input=x.npy --runtime ort --output-dir out/')
    .action(async (modelPath: string, opts: RunOptions) => {
      for (const w of await runCommand(modelPath, opts)) {
        process.stdout.write(printable(`${w.output}: ${w.dtype} ${shapeString(w.dims)} -> ${w.file}`) + '\n');
      }
    });
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** The whole command without the printing: returns what was written. */
export async function runCommand(modelPath: string, opts: RunOptions): Promise<{ output: string; file: string; dtype: string; dims: number[] }[]> {
  const model = loadModel(modelPath);
  const inputNames = model.graph.inputs.map((i) => i.name);
  const feeds: Record<string, Tensor> = {};
  for (const spec of opts.input) {
    const eq = spec.indexOf('=');
    let name: string;
    let file: string;
    if (eq < 0) {
      if (inputNames.length !== 1) {
        throw new RampartError(`--input '${spec}' has no NAME=`, { file: modelPath, expected: `NAME=FILE.npy with NAME one of: ${inputNames.join(', ')}` });
      }
      [name, file] = [inputNames[0], spec];
    } else {
      [name, file] = [spec.slice(0, eq), spec.slice(eq + 1)];
    }
    if (name in feeds) throw new RampartError(`input '${name}' is given twice`, { file: modelPath });
    if (!inputNames.includes(name)) {
      throw new RampartError(`the model has no input named '${name}'`, { file: modelPath, expected: `one of: ${inputNames.join(', ')}` });
    }
    feeds[name] = readNpy(file);
  }
  for (const vi of model.graph.inputs) {
    if (!(vi.name in feeds)) {
      throw new RampartError(`graph input '${vi.name}' was not given`, {
        file: modelPath, expected: `--input ${vi.name}=FILE.npy holding a ${vi.dtype} ${vi.shape ? shapeString(vi.shape) : '(any shape)'} tensor`,
      });
    }
  }
  try {
    checkFeeds(model, feeds);
  } catch (e) {
    throw withContext(e, { file: modelPath });
  }

  // Validate output names before running: a refused name should not cost an inference.
  const outNames = model.graph.outputs.map((o) => o.name);
  let fileNames: string[];
  try {
    fileNames = outNames.map((n) => outputFileName(n, opts.outputDir, '.npy'));
  } catch (e) {
    throw withContext(e, { file: modelPath });
  }

  const runner = await createRunner({ model, path: modelPath }, opts.runtime);
  let outs: Record<string, Tensor>;
  try {
    outs = await runner.run(feeds);
  } finally {
    await runner.close();
  }
  const files = outNames.map((n, i) => {
    const t = outs[n];
    if (!t) throw new RampartError(`the ${opts.runtime} runtime returned no output '${n}'`, { file: modelPath });
    return { name: fileNames[i], bytes: encodeNpy(t, fileNames[i]), t };
  });
  const written = writeFilesAtomically(opts.outputDir, files);
  return files.map((f, i) => ({ output: outNames[i], file: written[i], dtype: f.t.dtype, dims: f.t.dims }));
}
