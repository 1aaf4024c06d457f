// Import-time normal form of a graph (docs/design/onnx-io.md):
//  1. every node has a unique name (unnamed ones become `<op>_<index>`);
//  2. Constant nodes become initializers, so every constant tensor is found in one place;
//  3. Identity nodes whose input is an initializer (PyTorch shares one tensor between
//     several uses this way) are removed and their consumers read the initializer.
// A graph output is always produced by a node, never replaced by an initializer:
// where a Constant or Identity result is a graph output, an Identity(initializer)
// node stays to produce it.
import type { Graph, Node, Tensor } from '../ir.ts';
import { RampartError } from '../errors.ts';
import { tensor } from '../tensor.ts';

export function normaliseGraph(g: Graph, file?: string): void {
  nameNodes(g);
  foldConstants(g, file);
  resolveIdentities(g);
}

function nameNodes(g: Graph): void {
  const taken = new Set<string>();
  const unique = (base: string) => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
  // Named nodes keep their names (the first of any duplicates wins); then the unnamed.
  const named = g.nodes.map((n) => (n.name && !taken.has(n.name) ? (taken.add(n.name), true) : false));
  g.nodes.forEach((n, i) => {
    if (!named[i]) n.name = unique(n.name || `${n.op}_${i}`);
  });
}

/** The tensor a Constant node produces, from whichever value attribute it carries. */
export function constantValue(node: Node, file?: string): Tensor {
  const keys = Object.keys(node.attrs);
  if (keys.length !== 1) {
    throw new RampartError(`Constant needs exactly one value attribute, found [${keys.join(', ')}]`, {
      file, node: node.name, op: node.op, expected: 'one of value, sparse_value, value_float(s), value_int(s), value_string(s)',
    });
  }
  const a = node.attrs[keys[0]];
  switch (keys[0]) {
    case 'value': case 'sparse_value':
      if (a.type === 'tensor') return a.value;
      break;
    case 'value_float': if (a.type === 'float' || a.type === 'int') return tensor('float32', [], [a.value]); break;
    case 'value_floats': if (a.type === 'floats' || a.type === 'ints') return tensor('float32', [a.value.length], a.value); break;
    case 'value_int': if (a.type === 'int') return tensor('int64', [], [a.value]); break;
    case 'value_ints': if (a.type === 'ints') return tensor('int64', [a.value.length], a.value); break;
    case 'value_string': if (a.type === 'string') return tensor('string', [], [a.value]); break;
    case 'value_strings': if (a.type === 'strings') return tensor('string', [a.value.length], a.value.slice()); break;
  }
  throw new RampartError(`Constant attribute '${keys[0]}' of type ${a.type} is not a constant value`, {
    file, node: node.name, op: node.op, expected: 'value, sparse_value, value_float(s), value_int(s), value_string(s)',
  });
}

function allNames(g: Graph): Set<string> {
  const s = new Set<string>([...Object.keys(g.initializers), ...g.inputs.map((v) => v.name), ...g.outputs.map((v) => v.name)]);
  for (const n of g.nodes) for (const o of n.outputs) if (o) s.add(o);
  return s;
}

function foldConstants(g: Graph, file?: string): void {
  const graphOutputs = new Set(g.outputs.map((o) => o.name));
  const alias = new Map<string, string>();
  let names: Set<string> | undefined;
  const kept: Node[] = [];
  for (const node of g.nodes) {
    renameInputs(node, alias);
    if (node.op !== 'Constant' || node.domain !== '' || node.outputs.length !== 1 || !node.outputs[0]) {
      kept.push(node);
      continue;
    }
    const out = node.outputs[0];
    const value = constantValue(node, file);
    if (!graphOutputs.has(out)) {
      g.initializers[out] = value;
      delete g.valueInfo[out];
      continue;
    }
    names ??= allNames(g);
    let init = `${out}_const`;
    for (let k = 1; names.has(init); k++) init = `${out}_const${k}`;
    names.add(init);
    g.initializers[init] = value;
    alias.set(out, init);
    kept.push({ name: node.name, op: 'Identity', domain: '', inputs: [init], outputs: [out], attrs: {} });
  }
  g.nodes = kept;
}

function resolveIdentities(g: Graph): void {
  const graphOutputs = new Set(g.outputs.map((o) => o.name));
  const alias = new Map<string, string>();
  const kept: Node[] = [];
  for (const node of g.nodes) {
    renameInputs(node, alias);
    const src = node.inputs[0];
    const out = node.outputs[0];
    const foldable = node.op === 'Identity' && node.domain === '' && node.inputs.length === 1 &&
      node.outputs.length === 1 && src in g.initializers && !!out && !graphOutputs.has(out);
    if (!foldable) {
      kept.push(node);
      continue;
    }
    alias.set(out, src);
    delete g.valueInfo[out];
  }
  g.nodes = kept;
}

/** Rewrites the inputs of a node, and outer-scope references inside its subgraphs. */
function renameInputs(node: Node, alias: Map<string, string>): void {
  if (alias.size === 0) return;
  node.inputs = node.inputs.map((x) => alias.get(x) ?? x);
  for (const a of Object.values(node.attrs)) {
    if (a.type !== 'graph') continue;
    for (const n of a.value.nodes) renameInputs(n, alias);
    for (const o of a.value.outputs) o.name = alias.get(o.name) ?? o.name;
  }
}
