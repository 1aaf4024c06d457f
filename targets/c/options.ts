// Options of the C target, on top of the shared CompileOptions.
import { RampartError } from '../../runtime/errors.ts';
import type { CompileOptions } from '../types.ts';
import { resolveDevice, type DeviceSpec } from './devices.ts';

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
}

export interface ResolvedOptions {
  maxDensity: number;
  file?: string;
  device: DeviceSpec | null;
  seqLen: number;
  dims: Record<string, number>;
  prefix: string;
  stream: 'auto' | false;
}

/**
 * Below 2/3 a CSR matrix with 16-bit column indices (6 bytes per nonzero plus row
 * pointers) takes less flash than dense float32 (4 bytes per entry): flash is the
 * budget that decides whether a model fits a microcontroller, so the default is the
 * size break-even. It is not a measured speed crossover (no MCU bench here).
 */
export const C_DEFAULT_MAX_DENSITY = 2 / 3;
export const DEFAULT_SEQ_LEN = 28;

export function resolveOptions(opts: CompileOptions): ResolvedOptions {
  const o = opts as CTargetOptions;
  const seqLen = o.seqLen ?? DEFAULT_SEQ_LEN;
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new RampartError(`seqLen ${seqLen}`, { file: o.file, expected: 'a positive integer' });
  const maxDensity = o.maxDensity ?? C_DEFAULT_MAX_DENSITY;
  if (!(maxDensity > 0 && maxDensity <= 1)) throw new RampartError(`maxDensity ${maxDensity}`, { file: o.file, expected: 'a number in (0, 1]' });
  const prefix = o.prefix ?? 'rampart';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) throw new RampartError(`prefix '${prefix}'`, { file: o.file, expected: 'a C identifier' });
  for (const [k, v] of Object.entries(o.dims ?? {})) {
    if (!Number.isInteger(v) || v < 1) throw new RampartError(`dims.${k} = ${v}`, { file: o.file, expected: 'a positive integer' });
  }
  return {
    maxDensity, file: o.file, seqLen, prefix,
    device: o.device === undefined ? null : resolveDevice(o.device),
    dims: { ...(o.dims ?? {}) },
    stream: o.stream ?? 'auto',
  };
}
