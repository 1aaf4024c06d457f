// The Rampart IR: plain, serialisable data. A model is a graph of nodes over named
// tensors; nothing here has methods or hidden state, so a graph can be diffed in a
// test, cloned with structuredClone, written to disk or posted to a worker.
//
// Why it lives in runtime/: the sparse runtime executes this IR directly and must
// never import the compiler (src/). The compiler re-exports it from src/ir/.

export type DType =
  | 'float32' | 'float64' | 'float16'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'bool' | 'string';

/**
 * Storage per dtype. Decision (docs/DESIGN.md "int64"): int64/uint64 are held in a
 * Float64Array, exact for |x| <= 2^53; values beyond (INT64_MAX as a Slice "to the
 * end" sentinel) saturate, which every op that meets them treats as "unbounded".
 * float16 is widened to float32 at import. bool is a Uint8Array of 0/1.
 */
export type TensorData =
  | Float32Array | Float64Array
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | string[];

export interface Tensor {
  dtype: DType;
  dims: number[];
  data: TensorData;
}

/** A dimension: a number, a symbolic name ('N', 'batch', 'seq'), or null when unknown. */
export type Dim = number | string | null;

export interface ValueInfo {
  name: string;
  dtype: DType;
  shape: Dim[] | null; // null: rank unknown
}

export type Attr =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'string'; value: string }
  | { type: 'ints'; value: number[] }
  | { type: 'floats'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensor'; value: Tensor }
  | { type: 'graph'; value: Graph };

export interface Node {
  /** Unique within the graph; the importer names unnamed nodes `<op>_<index>`. */
  name: string;
  op: string;
  /** '' for the default ONNX domain. */
  domain: string;
  /** Input value names; '' marks an absent optional input (ONNX convention). */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attr>;
}

/**
 * A CSR matrix (compressed sparse rows) of shape [rows, cols], the storage of a
 * pruned weight. Invariants (checked by runtime/onnx/validate.ts and runtime/csr.ts):
 * rowPtr has rows+1 entries, is non-decreasing, starts at 0 and ends at nnz;
 * colIdx is sorted and unique within each row and < cols; values.length == nnz.
 * colIdx is Uint16Array when cols <= 65536, else Int32Array.
 */
export interface Csr {
  rows: number;
  cols: number;
  rowPtr: Int32Array;
  colIdx: Uint16Array | Int32Array;
  values: Float32Array;
}

export interface Graph {
  name: string;
  /** Graph inputs fed at run time (initializers are not listed here). */
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Constant tensors by name: ONNX initializers, densified sparse_initializers. */
  initializers: Record<string, Tensor>;
  nodes: Node[];
  /** Known types/shapes of intermediate values (from the file or shape inference). */
  valueInfo: Record<string, ValueInfo>;
}

export interface OpsetImport {
  domain: string;
  version: number;
}

/** An ONNX model-local function (FunctionProto), kept so export can write it back. */
export interface FunctionDef {
  name: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: string[];
  opsetImports: OpsetImport[];
  nodes: Node[];
}

export interface Model {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName: string;
  producerVersion: string;
  graph: Graph;
  functions: FunctionDef[];
  /** Free-form string metadata (metadata_props). */
  metadata: Record<string, string>;
}

export const DEFAULT_DOMAIN = '';
/** The custom domain of Rampart's CSR ops (CsrMatMul, CsrGemm, CsrLSTM, ...). */
export const RAMPART_DOMAIN = 'ai.rampart';

/** The opset version of the default domain (ai.onnx) a model imports. */
export function onnxOpset(model: Model): number {
  const o = model.opsetImports.find((x) => x.domain === '' || x.domain === 'ai.onnx');
  return o ? o.version : 1;
}
