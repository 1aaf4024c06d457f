// The contract of a shape rule: from what is known about a node's inputs (dtype,
// shape with numeric/symbolic/unknown dims, and for small integer tensors their
// values), say what is known about its outputs. A rule throws only for a mismatch
// it can prove, through ctx.fail (the error names node, op and the expected shape).
import type { DType, Dim, Node } from '../../../runtime/ir.ts';

export interface Known {
  dtype: DType;
  /** null: rank unknown. */
  shape: Dim[] | null;
  /** Flattened values of a small integer tensor (shape arithmetic), when known. */
  value?: Dim[];
  /** Values of a small constant float tensor (Resize's scales and roi), when known. */
  floats?: number[];
}

export interface InferCtx {
  node: Node;
  /** ai.onnx opset of the model. */
  opset: number;
  input(i: number): Known | undefined;
  /** Known values of input i, or undefined. */
  value(i: number): Dim[] | undefined;
  fail(message: string, expected?: string): never;
}

/** One entry per node output; undefined where nothing is known. */
export type ShapeRule = (c: InferCtx) => (Known | undefined)[];
