// Shared by the CLI tests: spawning `node bin/rampart.js`, building small models in the
// IR and writing them with the ONNX exporter, and asserting clean user-facing errors.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Attr, Dim, DType, Model, Node, Tensor } from '../../runtime/ir.ts';
import { encodeModel } from '../../src/onnx/export.ts';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const FIXTURES = join(ROOT, 'test', 'fixtures');

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs the CLI; `nodeArgs` go before the script (e.g. `--import` of a test preload), `env` is added to the environment. */
export function cli(args: string[], opts: { cwd?: string; nodeArgs?: string[]; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...(opts.nodeArgs ?? []), join(ROOT, 'bin', 'rampart.js'), ...args], {
      cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A non-zero exit, a message matching every pattern, and no stack trace. */
export function assertCleanError(r: CliResult, ...patterns: RegExp[]): void {
  assert.notEqual(r.code, 0, `expected failure, got exit 0; stdout: ${r.stdout}`);
  assert.match(r.stderr, /^rampart: error: /m, r.stderr);
  for (const p of patterns) assert.match(r.stderr, p);
  assert.doesNotMatch(r.stderr, /^\s+at .*(:\d+:\d+|\(node:)/m, 'stack trace in stderr');
  assert.doesNotMatch(r.stderr, /internal error/);
}

export function tmp(prefix = 'rampart-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}, name = `${op}_${outputs[0]}`, domain = ''): Node {
  return { name, op, domain, inputs, outputs, attrs };
}

export function model(opts: {
  inputs: { name: string; dtype?: DType; shape: Dim[] }[];
  outputs: { name: string; dtype?: DType; shape?: Dim[] | null }[];
  nodes: Node[];
  initializers?: Record<string, Tensor>;
  opset?: number;
  extraOpsets?: { domain: string; version: number }[];
}): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: opts.opset ?? 14 }, ...(opts.extraOpsets ?? [])],
    producerName: 'rampart-test',
    producerVersion: '',
    graph: {
      name: 'test',
      inputs: opts.inputs.map((i) => ({ name: i.name, dtype: i.dtype ?? 'float32', shape: i.shape })),
      outputs: opts.outputs.map((o) => ({ name: o.name, dtype: o.dtype ?? 'float32', shape: o.shape ?? null })),
      initializers: opts.initializers ?? {},
      nodes: opts.nodes,
      valueInfo: {},
    },
    functions: [],
    metadata: {},
  };
}

export function save(dir: string, name: string, m: Model): string {
  const p = join(dir, name);
  writeFileSync(p, encodeModel(m));
  return p;
}

export function ints(value: number[]): Attr {
  return { type: 'ints', value };
}

export function int(value: number): Attr {
  return { type: 'int', value };
}
