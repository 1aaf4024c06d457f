// Options of the C target, on top of the shared CompileOptions.
import { RampartError } from '../../runtime/errors.ts';
import type { CompileOptions } from '../types.ts';
import { resolveDevice, type DeviceSpec } from './devices.ts';
import { FORMATS, type Format } from './storage.ts';

export interface CTargetOptions extends CompileOptions {
  /** A device of targets/c/devices.ts, or a custom budget; the model is refused if it does not fit. */
  device?: string | DeviceSpec;
  /** Value bound to every symbolic input dim that is not the batch (default 28: sequential MNIST). */
  seqLen?: number;
  /** Explicit values for named symbolic dims (wins over the batch / seqLen rules). */
  dims?: Record<string, number>;
  /** Prefix of the exported C symbols (default 'rampart': rampart_run, ...). */
  prefix?: string;
  /** Emit the streaming API for recurrent models: 'auto' (default) when it is valid, false never. */
  stream?: 'auto' | false;
  /**
   * Weight storages the size rule may pick (default all three; dense is always allowed):
   * ['dense', 'csr'] is the target without block-CSR, ['dense'] without sparse storage.
   */
  formats?: Format[];
  /**
   * Instruction set the helpers are written for: 'generic' (default: plain C99, what every
   * compiler vectorises or not) or 'wasm-simd128' (targets/wasm: the hot mat-vecs in
   * WebAssembly SIMD intrinsics, the rest as generic).
   */
  isa?: Isa;
}

export const ISAS = ['generic', 'wasm-simd128'] as const;
export type Isa = (typeof ISAS)[number];

export interface ResolvedOptions {
  maxDensity: number;
  formats: ReadonlySet<Format>;
  file?: string;
  device: DeviceSpec | null;
  seqLen: number;
  dims: Record<string, number>;
  prefix: string;
  stream: 'auto' | false;
  isa: Isa;
}

/**
 * No cap by default: each weight takes the storage with the fewest flash bytes
 * (targets/c/storage.ts), which for unstructured sparsity is CSR below density ~2/3
 * (6 bytes per nonzero against 4 per dense entry) and, for block-pruned weights,
 * block-CSR up to higher densities. A lower maxDensity keeps denser matrices dense.
 * Flash decides whether a model fits a microcontroller; no MCU speed bench exists here.
 */
export const C_DEFAULT_MAX_DENSITY = 1;
export const DEFAULT_SEQ_LEN = 28;

export function resolveOptions(opts: CompileOptions): ResolvedOptions {
  const o = opts as CTargetOptions;
  const seqLen = o.seqLen ?? DEFAULT_SEQ_LEN;
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new RampartError(`seqLen ${seqLen}`, { file: o.file, expected: 'a positive integer' });
  const maxDensity = o.maxDensity ?? C_DEFAULT_MAX_DENSITY;
  if (!(maxDensity > 0 && maxDensity <= 1)) throw new RampartError(`maxDensity ${maxDensity}`, { file: o.file, expected: 'a number in (0, 1]' });
  const prefix = o.prefix ?? 'rampart';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) throw new RampartError(`prefix '${prefix}'`, { file: o.file, expected: 'a C identifier' });
  for (const f of o.formats ?? []) {
    if (!FORMATS.includes(f)) throw new RampartError(`storage format '${f}'`, { file: o.file, expected: FORMATS.join(', ') });
  }
  if (o.isa !== undefined && !ISAS.includes(o.isa)) throw new RampartError(`isa '${o.isa}'`, { file: o.file, expected: ISAS.join(', ') });
  for (const [k, v] of Object.entries(o.dims ?? {})) {
    if (!Number.isInteger(v) || v < 1) throw new RampartError(`dims.${k} = ${v}`, { file: o.file, expected: 'a positive integer' });
  }
  return {
    maxDensity, file: o.file, seqLen, prefix,
    formats: new Set<Format>(['dense', ...(o.formats ?? FORMATS)]),
    device: o.device === undefined ? null : resolveDevice(o.device),
    dims: { ...(o.dims ?? {}) },
    stream: o.stream ?? 'auto',
    isa: o.isa ?? 'generic',
  };
}
