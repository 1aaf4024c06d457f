// Flash and SRAM of a generated file, and the check against a device.
//
// Flash = static const data (weights, CSR and block-CSR indices and row maps, biases,
// geometry structs, constant tensors: exact, as storage.ts counts them) + an estimate of the code (helpers used, per-node call sites; Thumb-2 -Os
// sizes, docs/design/c-target.md) + an estimate of the libm functions pulled in at link
// time (expf, tanhf, logf). The first two are what `arm-none-eabi-size` reports as
// text+data for the object file; the libm part is only known after linking.
// SRAM = the scratch arena (largest set of simultaneously live buffers, as planned)
// + the streaming state + the caller's input and output arrays.
import { RampartError } from '../../runtime/errors.ts';
import type { LayerReport } from '../types.ts';
import { DEVICES, type DeviceSpec } from './devices.ts';
import type { CModule } from './module.ts';

export interface CBudget {
  model: string;
  device: DeviceSpec | null;
  flash: { weightBytes: number; indexBytes: number; otherDataBytes: number; codeBytes: number; libmBytes: number; objectBytes: number; totalBytes: number };
  sram: { arenaBytes: number; stateBytes: number; inputBytes: number; outputBytes: number; totalBytes: number };
  /** Against every device of the table. */
  fits: Record<string, { flash: boolean; sram: boolean }>;
  /** axis: the input axis one stream step feeds (when emitted). */
  stream: { emitted: boolean; note: string; axis?: number };
  bound: Record<string, number>;
  layers: LayerReport[];
}

/** Rough newlib sizes of the float maths a model links in (bytes of code + tables). */
const LIBM_BYTES: Record<string, number> = { expf: 1024, tanhf: 1024, logf: 1024, erff: 1024 };
const LIBM_USERS: Record<string, string[]> = {
  expf: ['rp_sigmoid', 'rp_softmax'],
  tanhf: ['rp_tanh_v', 'rp_lstm_cell', 'rp_gru_cell', 'rp_rnn_cell'],
  logf: ['rp_softmax'],
  erff: ['rp_erf_v'],
};

export function computeBudget(args: {
  model: string; mod: CModule; device: DeviceSpec | null; arenaFloats: number; stateFloats: number;
  inputFloats: number; outputFloats: number; stream: CBudget['stream']; bound: Record<string, number>;
}): CBudget {
  const { mod } = args;
  const helpers = new Set(mod.helperList());
  const libmBytes = Object.entries(LIBM_USERS).reduce((a, [fn, users]) => a + (users.some((u) => helpers.has(u)) ? LIBM_BYTES[fn] : 0), 0);
  const codeBytes = mod.codeBytes();
  const data = mod.bytes.weight + mod.bytes.index + mod.bytes.other;
  const flash = {
    weightBytes: mod.bytes.weight, indexBytes: mod.bytes.index, otherDataBytes: mod.bytes.other,
    codeBytes, libmBytes, objectBytes: data + codeBytes, totalBytes: data + codeBytes + libmBytes,
  };
  const sram = {
    arenaBytes: 4 * args.arenaFloats, stateBytes: 4 * args.stateFloats,
    inputBytes: 4 * args.inputFloats, outputBytes: 4 * args.outputFloats, totalBytes: 0,
  };
  sram.totalBytes = sram.arenaBytes + sram.stateBytes + sram.inputBytes + sram.outputBytes;
  const fits: CBudget['fits'] = {};
  const all = { ...DEVICES, ...(args.device ? { [args.device.name]: args.device } : {}) };
  for (const [k, d] of Object.entries(all)) fits[k] = { flash: flash.totalBytes <= d.flashBytes, sram: sram.totalBytes <= d.sramBytes };
  return { model: args.model, device: args.device, flash, sram, fits, stream: args.stream, bound: args.bound, layers: mod.layers };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Throws when the model does not fit the chosen device. */
export function checkDevice(b: CBudget, file?: string): void {
  const d = b.device;
  if (!d) return;
  const over: string[] = [];
  if (b.flash.totalBytes > d.flashBytes) over.push(`flash: needs ${fmt(b.flash.totalBytes)} bytes, ${fmt(d.flashBytes)} available`);
  if (b.sram.totalBytes > d.sramBytes) over.push(`SRAM: needs ${fmt(b.sram.totalBytes)} bytes, ${fmt(d.sramBytes)} available`);
  if (over.length) {
    throw new RampartError(`model '${b.model}' does not fit device '${d.name}' (${over.join('; ')})`, {
      file, expected: 'a smaller model: prune it further (sparse weights shrink flash; pruned in blocks, their indices shrink too), shorten seqLen, or pick a larger device',
    });
  }
}

/** The budget as text (the CLI prints it; the C file carries it in its header comment). */
export function renderBudget(b: CBudget): string[] {
  const f = b.flash, s = b.sram;
  const lines = [
    `flash ${fmt(f.totalBytes)} B = weights ${fmt(f.weightBytes)} + sparse indices ${fmt(f.indexBytes)} + other data ${fmt(f.otherDataBytes)} + code ~${fmt(f.codeBytes)} + libm ~${fmt(f.libmBytes)}`,
    `SRAM  ${fmt(s.totalBytes)} B = arena ${fmt(s.arenaBytes)} + stream state ${fmt(s.stateBytes)} + input ${fmt(s.inputBytes)} + output ${fmt(s.outputBytes)}`,
    '',
    'device          flash         SRAM        fits',
  ];
  for (const [k, v] of Object.entries(b.fits)) {
    const d = k === b.device?.name ? b.device : DEVICES[k];
    lines.push(`${k.padEnd(15)} ${fmt(d.flashBytes).padStart(10)} B ${fmt(d.sramBytes).padStart(9)} B  ${v.flash && v.sram ? 'yes' : `no (${[v.flash ? '' : 'flash', v.sram ? '' : 'SRAM'].filter(Boolean).join(', ')})`}`);
  }
  lines.push('', 'layer                            op      stored  density   dense B    stored B');
  for (const l of b.layers) {
    lines.push(`${l.layer.slice(0, 32).padEnd(32)} ${l.op.padEnd(7)} ${l.action.padEnd(6)} ${l.density.toFixed(3).padStart(7)} ${fmt(l.denseBytes).padStart(9)} ${fmt(l.storedBytes).padStart(11)}`);
  }
  return lines;
}
