// Tiny in-memory models for the pruning tests, and the prune CLI run in-process.
import type { Model, Node, Tensor } from '../../runtime/ir.ts';
import { Command } from 'commander';
import { register } from '../../src/cli/commands/prune.ts';

export function tensorOf(dims: number[], values: ArrayLike<number> | ((i: number) => number)): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = typeof values === 'function' ? Float32Array.from({ length: n }, (_, i) => values(i)) : Float32Array.from(values);
  if (data.length !== n) throw new Error(`tensorOf: ${data.length} values for [${dims}]`);
  return { dtype: 'float32', dims, data };
}

export function node(name: string, op: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node {
  return { name, op, domain: '', inputs, outputs, attrs };
}

export function model(nodes: Node[], inits: Record<string, Tensor>, input: { name: string; shape: (number | string)[] }, outputs: string[]): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '',
    functions: [], metadata: {},
    graph: {
      name: 'g',
      inputs: [{ name: input.name, dtype: 'float32', shape: input.shape }],
      outputs: outputs.map((name) => ({ name, dtype: 'float32', shape: null })),
      initializers: inits, nodes, valueInfo: {},
    },
  };
}

/** x[N,in] → Gemm(transB=1) with weights [out,in] per layer, ReLU between. */
export function mlp(weights: { name: string; out: number; in: number; values: ArrayLike<number> | ((i: number) => number) }[], bias = false): Model {
  const nodes: Node[] = [];
  const inits: Record<string, Tensor> = {};
  let x = 'x';
  weights.forEach((w, k) => {
    inits[w.name] = tensorOf([w.out, w.in], w.values);
    const ins = [x, w.name];
    if (bias) {
      inits[w.name + '_b'] = tensorOf([w.out], () => 0.1);
      ins.push(w.name + '_b');
    }
    const y = k === weights.length - 1 ? 'y' : `h${k}`;
    nodes.push(node(`fc${k}`, 'Gemm', ins, [k === weights.length - 1 ? y : y + '_pre'], { transB: { type: 'int', value: 1 } }));
    if (k < weights.length - 1) nodes.push(node(`relu${k}`, 'Relu', [y + '_pre'], [y]));
    x = y;
  });
  return model(nodes, inits, { name: 'x', shape: ['N', weights[0].in] }, ['y']);
}

/** An LSTM [N,T,I] batch-first-free model: x[T,N,I] → LSTM(H) → Y_h[1,N,H]. */
export function lstmModel(I: number, H: number, w: (i: number) => number, r: (i: number) => number): Model {
  const inits: Record<string, Tensor> = {
    W: tensorOf([1, 4 * H, I], w),
    R: tensorOf([1, 4 * H, H], r),
  };
  const nodes = [node('lstm', 'LSTM', ['x', 'W', 'R'], ['Y', 'Y_h'], { hidden_size: { type: 'int', value: H } })];
  return model(nodes, inits, { name: 'x', shape: [3, 'N', I] }, ['Y_h']);
}

/** Runs `rampart prune ...` in-process and returns what it printed (teed, never swallowed). */
export async function cli(args: string[]): Promise<string> {
  const program = new Command();
  program.exitOverride();
  register(program);
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  // Tee, never swallow: the test runner reports earlier tests on the same stream.
  process.stdout.write = ((s: string, ...rest: never[]) => { chunks.push(String(s)); return write(s, ...rest); }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'rampart', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('');
}
