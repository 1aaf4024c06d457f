// The kernel table contract. Every backend (reference, js, wasm) fills the same
// table; a backend overlays the reference table with its own kernels.
import type { Node, Tensor } from '../ir.ts';

export interface KernelContext {
  /** The ai.onnx opset version the model imports. */
  opset: number;
  /** The model's file name, for error messages (may be undefined for bytes). */
  file?: string;
}

/**
 * A kernel computes a node's outputs from its inputs. inputs[i] is undefined where
 * the node's i-th input is absent ('' in the node, or beyond the list). A kernel
 * must not mutate its inputs. It returns one tensor per node output; an optional
 * output nobody consumes may be returned as undefined.
 */
export type Kernel = (inputs: (Tensor | undefined)[], node: Node, ctx: KernelContext) => (Tensor | undefined)[];

/** Key: `op` for the default domain, `domain::op` for others. */
export type KernelTable = Record<string, Kernel>;

export function kernelKey(domain: string, op: string): string {
  return domain === '' || domain === 'ai.onnx' ? op : `${domain}::${op}`;
}
