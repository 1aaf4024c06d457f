// Typed attribute access with defaults and errors that name the node.
import type { Attr, Node, Tensor } from '../ir.ts';
import { RampartError } from '../errors.ts';

function get(node: Node, name: string, type: Attr['type']): Attr | undefined {
  const a = node.attrs[name];
  if (a === undefined) return undefined;
  // ONNX writers sometimes store an int where a float is expected (and vice versa).
  if (a.type !== type && !((a.type === 'int' && type === 'float') || (a.type === 'float' && type === 'int')) &&
      !((a.type === 'ints' && type === 'floats') || (a.type === 'floats' && type === 'ints'))) {
    throw new RampartError(`attribute '${name}' has type ${a.type}`, { node: node.name, op: node.op, expected: type });
  }
  return a;
}

export function attrInt(node: Node, name: string, dflt: number): number;
export function attrInt(node: Node, name: string): number | undefined;
export function attrInt(node: Node, name: string, dflt?: number): number | undefined {
  const a = get(node, name, 'int');
  return a ? (a.value as number) : dflt;
}

export function attrFloat(node: Node, name: string, dflt: number): number;
export function attrFloat(node: Node, name: string): number | undefined;
export function attrFloat(node: Node, name: string, dflt?: number): number | undefined {
  const a = get(node, name, 'float');
  return a ? (a.value as number) : dflt;
}

export function attrString(node: Node, name: string, dflt: string): string;
export function attrString(node: Node, name: string): string | undefined;
export function attrString(node: Node, name: string, dflt?: string): string | undefined {
  const a = get(node, name, 'string');
  return a ? (a.value as string) : dflt;
}

export function attrInts(node: Node, name: string, dflt: number[]): number[];
export function attrInts(node: Node, name: string): number[] | undefined;
export function attrInts(node: Node, name: string, dflt?: number[]): number[] | undefined {
  const a = get(node, name, 'ints');
  return a ? (a.value as number[]) : dflt;
}

export function attrFloats(node: Node, name: string): number[] | undefined {
  const a = get(node, name, 'floats');
  return a ? (a.value as number[]) : undefined;
}

export function attrStrings(node: Node, name: string): string[] | undefined {
  const a = get(node, name, 'strings');
  return a ? (a.value as string[]) : undefined;
}

export function attrTensor(node: Node, name: string): Tensor | undefined {
  const a = get(node, name, 'tensor');
  return a ? (a.value as Tensor) : undefined;
}

/** Throws a RampartError naming the node and op. */
export function fail(node: Node, message: string, expected?: string): never {
  throw new RampartError(message, { node: node.name, op: node.op, expected });
}
