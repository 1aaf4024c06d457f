// Target c: one self-contained C99 file for microcontrollers (docs/design/c-target.md).
// Weights are static const arrays (dense, CSR or block CSR: the fewest flash bytes), all
// scratch memory one static arena planned at compile time for batch 1 and a fixed
// sequence length; the API is `int rampart_run(const float *input, float *output)` plus
// a streaming pair for recurrent models. `budget()` reports flash and SRAM per device;
// compile() refuses a model that does not fit the `device` option.
import { basename, dirname, extname } from 'node:path';
import type { Model } from '../../runtime/ir.ts';
import type { CompileOptions, CompileResult, TargetDescriptor } from '../types.ts';
import { checkDevice, computeBudget, renderBudget, type CBudget } from './budget.ts';
import { emitSource } from './emit.ts';
import { lowerProgram } from './lower/index.ts';
import { CModule } from './module.ts';
import { C_DEFAULT_MAX_DENSITY, resolveOptions, type CTargetOptions } from './options.ts';
import { prepare } from './prepare.ts';
import { buildStream, type StreamProgram } from './stream.ts';

export { DEVICES, type DeviceSpec } from './devices.ts';
export type { CTargetOptions } from './options.ts';
export type { CBudget } from './budget.ts';
export { renderBudget } from './budget.ts';
export { C_RUNTIME_OPS } from './lower/index.ts';

const ARENA = 'rp_arena';

/** A graph input or output of the generated API: its float32 values sit at offset..offset+size of the array. */
export interface CTensorInfo { name: string; dims: number[]; offset: number; size: number }

export interface CCompilation {
  source: string;
  budget: CBudget;
  /** The layout of rampart_run's input and output arrays, and of one stream step's (null: no streaming API). */
  io: { inputs: CTensorInfo[]; outputs: CTensorInfo[]; step: { inputs: CTensorInfo[]; outputs: CTensorInfo[]; axis: number } | null };
}

function layout(list: { name: string; dims: number[] }[]): CTensorInfo[] {
  let offset = 0;
  return list.map((v) => {
    const size = v.dims.reduce((p, d) => p * d, 1);
    const info = { name: v.name, dims: v.dims.slice(), offset, size };
    offset += size;
    return info;
  });
}

/** For messages and the header: the file's name, or its folder's for a generic `model.onnx` (the zoo layout). */
export function modelName(model: Model, file?: string): string {
  if (file) {
    const name = basename(file, extname(file));
    const dir = basename(dirname(file));
    return name === 'model' && dir && dir !== '.' ? dir : name;
  }
  return model.graph.name || 'model';
}

/** Compiles to C source and its budget; no device check (compile() adds it). */
export function compileC(model: Model, opts: CTargetOptions = {}): CCompilation {
  const o = resolveOptions(opts);
  const prep = prepare(model, o);
  const mod = new CModule(o.prefix);
  const run = lowerProgram(prep, mod, o, ARENA, null);
  let stream: StreamProgram | null = null;
  let note = 'disabled by the stream option';
  if (o.stream !== false) {
    const s = buildStream(model, prep, mod, o, ARENA);
    if (typeof s === 'string') note = s;
    else {
      stream = s;
      note = `${o.prefix}_stream_reset / ${o.prefix}_stream_step`;
    }
  }
  const arenaFloats = Math.max(run.plan(), stream ? stream.prog.plan() : 0);
  const name = modelName(model, o.file);
  const size = (l: { dims: number[] }[]) => l.reduce((a, v) => a + v.dims.reduce((p, d) => p * d, 1), 0);
  const budget = computeBudget({
    model: name, mod, device: o.device, arenaFloats,
    stateFloats: stream ? stream.states.reduce((a, s) => a + s.size, 0) : 0,
    inputFloats: size(prep.inputs), outputFloats: size(prep.outputs),
    stream: stream ? { emitted: true, note, axis: stream.input.axis } : { emitted: false, note }, bound: prep.bound,
  });
  const source = emitSource({ name, file: o.file, prefix: o.prefix, isa: o.isa, prep, mod, run, stream, arenaSymbol: ARENA, arenaFloats, budget });
  const io = {
    inputs: layout(prep.inputs), outputs: layout(prep.outputs),
    step: stream ? { inputs: layout(stream.prep.inputs), outputs: layout(stream.prep.outputs), axis: stream.input.axis } : null,
  };
  return { source, budget, io };
}

/** Flash / SRAM budget of the model as the C target would emit it (never throws for size). */
export function budget(model: Model, opts: CTargetOptions = {}): CBudget {
  return compileC(model, opts).budget;
}

export const cTarget: TargetDescriptor = {
  name: 'c',
  description: 'one self-contained C99 file for microcontrollers: static const weights (dense, CSR or block CSR, whichever is smallest), a static arena, no malloc',
  extension: '.c',
  loadableBy: ['any C99 compiler (gcc, clang, arm-none-eabi-gcc); link with -lm'],
  defaultMaxDensity: C_DEFAULT_MAX_DENSITY,
  accepts: ['device', 'seqLen'],
  compile(model: Model, opts: CompileOptions): CompileResult {
    const { source, budget: b } = compileC(model, opts);
    checkDevice(b, opts.file);
    return { bytes: new TextEncoder().encode(source), size: { bytes: b.flash.totalBytes, label: 'flash estimate' }, layers: b.layers, summary: renderBudget(b) };
  },
};
