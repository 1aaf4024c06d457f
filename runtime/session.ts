// The session API, shaped like onnxruntime's: `InferenceSession.create(pathOrBytes,
// { backend })`, `session.run(feeds)` -> outputs, `new Tensor(type, data, dims)`.
// Backends: 'reference' (the dense reference kernels), 'js' and 'wasm' (the sparse
// overlays of runtime/kernels/). The session pins its initializers so each weight is
// packed once (dense or CSR by density) and reused by every run; recurrent models
// can also be stepped one time step at a time (createStream, runtime/kernels/stream.ts).
import type { DType, Model, Tensor as IrTensor, TensorData } from './ir.ts';
import { onnxOpset } from './ir.ts';
import { RampartError } from './errors.ts';
import { executeGraph } from './executor.ts';
import { decodeModel } from './onnx/decode.ts';
import { validateModel } from './onnx/validate.ts';
import { allocData, sizeOf } from './tensor.ts';
import { addCsrFunctions, createBackend, type Backend, type BackendName } from './kernels/index.ts';
import type { PackRecord } from './kernels/env.ts';
import type { FormatRequest } from './kernels/linalg.ts';
import { RecurrentStream } from './kernels/stream.ts';
import { loadModelFile } from './host.ts';
import { setKernelSource, type KernelSource } from './wasm/loader.ts';
import { fuseGraph, type FusedGraph } from './kernels/fuse.ts';

/**
 * The public tensor: like onnxruntime's (`type`, `data`, `dims`, `size`) and at the
 * same time an IR tensor record (`dtype`), so it flows into the executor unchanged.
 * One difference, from the IR's rule (runtime/ir.ts): int64 data is a Float64Array;
 * a BigInt64Array given to the constructor is converted.
 */
export type TensorType = DType;


export class Tensor implements IrTensor {
  readonly dtype: DType;
  readonly dims: number[];
  readonly data: TensorData;

  constructor(type: TensorType, data: TensorData | BigInt64Array | BigUint64Array | readonly number[] | readonly boolean[], dims?: readonly number[]) {
    const shape = dims ? dims.slice() : [(data as ArrayLike<unknown>).length];
    const n = sizeOf(shape);
    let d: TensorData;
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      d = Float64Array.from(data, (v) => Number(v));
    } else if (Array.isArray(data) && type !== 'string') {
      d = allocData(type, n);
      (d as Float64Array).set((data as unknown as readonly (number | boolean)[]).map(Number));
    } else {
      d = data as TensorData;
    }
    if (d.length !== n) {
      throw new RampartError(`Tensor data has ${d.length} elements but dims [${shape.join(',')}] need ${n}`, { expected: `${n} elements` });
    }
    const expected = allocData(type, 0);
    if (!Array.isArray(expected) && (Array.isArray(d) || d.constructor !== expected.constructor)) {
      throw new RampartError(`Tensor of type ${type} given a ${d.constructor.name}`, { expected: expected.constructor.name });
    }
    this.dtype = type;
    this.dims = shape;
    this.data = d;
  }

  /** onnxruntime's name for the element type. */
  get type(): TensorType { return this.dtype; }
  get size(): number { return this.data.length; }

  static from(t: IrTensor): Tensor {
    return t instanceof Tensor ? t : new Tensor(t.dtype, t.data, t.dims);
  }
}

export interface SessionOptions {
  /** Default 'wasm'. */
  backend?: BackendName;
  /** Force every prunable weight dense, CSR or BSR ({ bsr: 8 }) instead of choosing by cost. */
  format?: FormatRequest;
  /** A name for error messages when creating from bytes. */
  file?: string;
  /**
   * Where backend 'wasm' loads its kernel module from: a URL or path, the .wasm bytes
   * or a compiled WebAssembly.Module. Default: runtime/wasm/build/kernels.wasm, or in
   * the browser bundle kernels.wasm beside it. Process-wide: it applies to every session created from then on, not only this one.
   */
  wasm?: KernelSource;
  /**
   * Bytes the model's tensors may take: its weights at load, and everything one run
   * holds (weights, feeds, intermediates). Default 1 GiB (runtime/limits.ts).
   */
  maxMemory?: number;
}

export class InferenceSession {
  readonly inputNames: string[];
  readonly outputNames: string[];
  /** The graph the js/wasm backends execute: producer -> Relu [-> MaxPool] fused (runtime/kernels/fuse.ts). */
  private readonly fused: FusedGraph | null;

  private constructor(readonly model: Model, private readonly backend: Backend, private readonly file?: string, private readonly maxMemory?: number) {
    this.inputNames = model.graph.inputs.map((i) => i.name);
    this.outputNames = model.graph.outputs.map((o) => o.name);
    addCsrFunctions(backend, model.functions);
    this.fused = backend.env ? fuseGraph(model.graph, backend.env, backend.table) : null;
    if (backend.env) {
      backend.env.format = 'auto';
      for (const t of Object.values(model.graph.initializers)) backend.env.pin(t);
    }
  }

  static async create(pathOrBytes: string | Uint8Array | ArrayBuffer, opts: SessionOptions = {}): Promise<InferenceSession> {
    let model: Model;
    let file = opts.file;
    if (typeof pathOrBytes === 'string') {
      file = pathOrBytes;
      model = await loadModelFile(pathOrBytes, { maxMemory: opts.maxMemory });
    } else {
      const bytes = pathOrBytes instanceof Uint8Array ? pathOrBytes : new Uint8Array(pathOrBytes);
      model = decodeModel(bytes, { file, maxMemory: opts.maxMemory });
    }
    // The compiler's loader checks the same rules (src/onnx/import.ts): one validator.
    validateModel(model, file);
    return InferenceSession.fromModel(model, { ...opts, file });
  }

  /** A session over an IR model already in memory (the model must not be mutated afterwards). */
  static async fromModel(model: Model, opts: SessionOptions = {}): Promise<InferenceSession> {
    if (opts.wasm !== undefined) setKernelSource(opts.wasm);
    const backend = await createBackend(opts.backend ?? 'wasm');
    const s = new InferenceSession(model, backend, opts.file, opts.maxMemory);
    if (backend.env && opts.format) backend.env.format = opts.format;
    return s;
  }

  get backendName(): BackendName { return this.backend.name; }

  /** Runs the model; like onnxruntime's run, async. */
  async run(feeds: Record<string, IrTensor>, fetches?: string[]): Promise<Record<string, Tensor>> {
    return this.runSync(feeds, fetches);
  }

  runSync(feeds: Record<string, IrTensor>, fetches?: string[]): Record<string, Tensor> {
    this.checkFeeds(feeds);
    // A fetch of a value the fusion removed runs the original graph.
    const base = this.fused && !fetches?.some((f) => this.fused!.removed.has(f)) ? this.fused.graph : this.model.graph;
    const graph = fetches ? { ...base, outputs: fetches.map((name) => ({ name, dtype: 'float32' as DType, shape: null })) } : base;
    const out = executeGraph(graph, feeds, this.backend.table, {
      functions: this.model.functions, ctx: { opset: onnxOpset(this.model), file: this.file }, maxMemory: this.maxMemory,
    });
    const res: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(out)) res[k] = Tensor.from(v);
    return res;
  }

  /** Which weights run dense and which as CSR, with density and bytes (filled as layers first run). */
  layers(): PackRecord[] {
    return this.backend.env ? [...this.backend.env.records.values()] : [];
  }

  /** A step-at-a-time runner for recurrent models (see runtime/kernels/stream.ts). */
  createStream(): RecurrentStream {
    if (!this.backend.env) throw new RampartError('streaming needs the js or wasm backend', { file: this.file, expected: "backend 'js' or 'wasm'" });
    return new RecurrentStream(this.model, this.backend, this.file);
  }

  private checkFeeds(feeds: Record<string, IrTensor>): void {
    for (const inp of this.model.graph.inputs) {
      const t = feeds[inp.name];
      if (!t) throw new RampartError(`input '${inp.name}' was not fed`, { file: this.file, expected: `inputs ${this.inputNames.join(', ')}` });
      if (t.dtype !== inp.dtype) {
        throw new RampartError(`input '${inp.name}' is ${t.dtype}`, { file: this.file, expected: `${inp.dtype}` });
      }
      if (inp.shape && (inp.shape.length !== t.dims.length || inp.shape.some((d, i) => typeof d === 'number' && d !== t.dims[i]))) {
        throw new RampartError(`input '${inp.name}' has shape [${t.dims.join(',')}]`, {
          file: this.file, expected: `[${inp.shape.map((d) => d ?? '?').join(',')}]`,
        });
      }
    }
  }
}
