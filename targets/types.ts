// A compile target: what `rampart compile --target <name>` can emit. Each target's
// folder exports its descriptor; targets/index.ts lists them.
import type { Model } from '../runtime/ir.ts';

export interface CompileOptions {
  /** Convert a layer when its weights' density is below this (default per target). */
  maxDensity?: number;
  /** The input file, for error messages. */
  file?: string;
  /** Targets that size a model for a device (c): a device name or a custom budget; refused if the model does not fit. */
  device?: string | { name: string; flashBytes: number; sramBytes: number };
  /** Targets that fix shapes at compile time (c): the value of symbolic non-batch dims. */
  seqLen?: number;
  /** Targets that store block-sparse weights (onnx-csr): 'auto' (default), 'none' or one block shape 'RxC'. */
  block?: string;
}

export interface LayerReport {
  layer: string;
  op: string;
  /** What the target did with it: 'csr', 'bsr' (block CSR), 'coo' or 'dense' (left as is), with why. */
  action: 'csr' | 'bsr' | 'coo' | 'dense';
  density: number;
  denseBytes: number;
  storedBytes: number;
  note?: string;
}

export interface CompileResult {
  /** The artifact (a folder target's main file, e.g. the .wasm). */
  bytes: Uint8Array;
  /** Folder targets (output 'directory'): every file to write into the -o folder, by name. */
  files?: { name: string; bytes: Uint8Array }[];
  /** What the size summary reports instead of the file's length (c: the flash estimate), with its label. */
  size?: { bytes: number; label: string };
  layers: LayerReport[];
  /** Extra report lines the target wants shown (e.g. the C target's flash/SRAM budget). */
  summary?: string[];
}

export interface TargetDescriptor {
  name: string;
  description: string;
  /** File extension of the output ('' for a folder). */
  extension: string;
  /** 'file' (default): -o names the file; 'directory': -o names a folder that gets CompileResult.files. */
  output?: 'file' | 'directory';
  /** Who can load the output. */
  loadableBy: string[];
  defaultMaxDensity: number;
  /** CompileOptions beyond maxDensity/file that this target reads (the CLI refuses the others). */
  accepts?: ('device' | 'seqLen' | 'block')[];
  compile(model: Model, opts: CompileOptions): CompileResult;
}
