// A fuzz worker process (spawned by bench/fuzz.ts): takes ranges of mutant indices
// over IPC and puts each mutant through the compiler's loader, a runtime session
// (create + run) and one CLI command run in-process (src/cli/program.ts, the same
// code as `bin/rampart.js`), reporting how each stage ended. The parent owns the
// clock and the memory watch: it kills this process when a mutant hangs or grows.
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { InferenceSession } from '../../runtime/index.ts';
import { allocData, sizeOf } from '../../runtime/tensor.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { encodeNpy } from '../../src/io/npy.ts';
import { runCli } from '../../src/cli/program.ts';
import { loadDataset } from '../../src/data/index.ts';
import { makeRand, mutate, type Rand } from './mutate.ts';

export type Outcome = 'ok' | 'refused' | 'internal' | 'skipped';
export interface StageResult { outcome: Outcome; detail?: string }
export interface MutantResult {
  index: number;
  seed: string;
  kinds: string[];
  load: StageResult;
  runtime: StageResult;
  cli: StageResult & { argv: string[] };
  ms: number;
  /** CPU time of this mutant in ms (user + system). */
  cpuMs: number;
  rss: number;
}
export interface Job { seed: number; corpus: string[]; indices: number[]; maxMemory: string; dir: string }
export type ToParent = { type: 'ready' } | { type: 'start'; index: number } | { type: 'stage'; stage: string } | { type: 'result'; result: MutantResult } | { type: 'done' };

/** Feeds beyond this many elements are not made: the fuzz is after the model's allocations, not ours. */
const MAX_FEED = 1 << 20;

function classify(e: unknown): StageResult {
  if (e instanceof RampartError) return { outcome: 'refused', detail: e.message.slice(0, 300) };
  return { outcome: 'internal', detail: e instanceof Error ? (e.stack ?? e.message).split('\n').slice(0, 6).join('\n') : String(e) };
}

function feedsFor(inputs: { name: string; dtype: Tensor['dtype']; shape: (number | string | null)[] | null }[], r: Rand): Record<string, Tensor> | null {
  const feeds: Record<string, Tensor> = {};
  for (const vi of inputs) {
    const dims = (vi.shape ?? [1]).map((d) => (typeof d === 'number' ? d : 1));
    if (dims.some((d) => !Number.isSafeInteger(d) || d < 0) || sizeOf(dims) > MAX_FEED) return null;
    const data = allocData(vi.dtype, sizeOf(dims));
    if (!Array.isArray(data)) for (let i = 0; i < data.length; i++) data[i] = vi.dtype.startsWith('float') ? r() * 2 - 1 : r.int(3);
    feeds[vi.name] = { dtype: vi.dtype, dims, data };
  }
  return feeds;
}

/** Runs `argv` through the CLI in-process with stdout discarded and stderr captured. */
async function cliStage(argv: string[]): Promise<StageResult> {
  let err = '';
  const out = process.stdout.write, errw = process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => { err += String(chunk); return true; }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await runCli(['node', 'rampart', ...argv]);
  } finally {
    process.stdout.write = out;
    process.stderr.write = errw;
  }
  if (code === 70) return { outcome: 'internal', detail: err.split('\n').slice(0, 8).join('\n') };
  if (code === 0) return { outcome: 'ok' };
  // Exit 1 must be one line: a second line means unescaped text reached stderr.
  if (code === 1 && err.split('\n').filter(Boolean).length !== 1) return { outcome: 'internal', detail: `exit 1 with ${err.split('\n').length} lines: ${JSON.stringify(err.slice(0, 300))}` };
  return { outcome: 'refused', detail: `exit ${code}: ${err.split('\n')[0].slice(0, 300)}` };
}

const BACKENDS = ['reference', 'wasm', 'js'] as const;

/** Mutant `index`: written into `dir` as m.onnx (+ sidecars), then put through every stage. */
export async function runMutant(job: Omit<Job, 'indices'>, index: number, onStage: (stage: string) => void = () => {}): Promise<MutantResult> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const r = makeRand(job.seed, index);
  const seed = job.corpus[r.int(job.corpus.length)];
  const m = mutate(readFileSync(seed), r);
  const dir = join(job.dir, 'm');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'sub'), { recursive: true });
  symlinkSync('/etc/hostname', join(dir, 'link.bin'));
  const path = join(dir, 'm.onnx');
  writeFileSync(path, m.bytes);
  for (const [name, bytes] of Object.entries(m.sidecars)) writeFileSync(join(dir, name), bytes);

  let load: StageResult;
  onStage('load');
  try {
    loadModel(path);
    load = { outcome: 'ok' };
  } catch (e) {
    load = classify(e);
  }

  let runtime: StageResult;
  let inputs: Parameters<typeof feedsFor>[0] = [];
  onStage(`runtime (${BACKENDS[index % 3]})`);
  try {
    const s = await InferenceSession.create(path, { backend: BACKENDS[index % 3], maxMemory: Number(job.maxMemory) });
    inputs = s.model.graph.inputs;
    const feeds = feedsFor(inputs, r);
    if (feeds) {
      await s.run(feeds);
      runtime = { outcome: 'ok' };
    } else runtime = { outcome: 'skipped', detail: 'inputs too large to make' };
  } catch (e) {
    runtime = classify(e);
  }

  const out = join(dir, 'out');
  const common = ['--max-memory', job.maxMemory];
  const feeds = feedsFor(inputs, r);
  const inputArgs = Object.entries(feeds ?? {}).flatMap(([name, t], k) => {
    const f = join(dir, `in${k}.npy`);
    writeFileSync(f, encodeNpy(t));
    return ['--input', `${name}=${f}`];
  });
  const commands: string[][] = [
    ['inspect', path], ['inspect', path, '--all', '--batch', '2', '--json'],
    ['run', path, ...inputArgs, '--runtime', r.pick(BACKENDS), '--output-dir', out],
    ['analyze', path, '--at', '0.5'],
    ['compile', path, '--target', 'onnx-csr', '-o', join(dir, 'c.onnx')],
    ['compile', path, '--target', 'onnx-sparse', '-o', join(dir, 's.onnx')],
    ['compile', path, '--target', 'c', '-o', join(dir, 'm.c')],
    ['eval', path, '--data', 'mnist', '--limit', '4', '--runtime', r.pick(BACKENDS)],
  ];
  const argv = [...common, ...r.pick(commands)];
  onStage(`cli: rampart ${argv.slice(2).map((a) => a.replace(dir, '.')).join(' ')}`);
  const cli = { ...(await cliStage(argv)), argv };
  const cpu = process.cpuUsage(cpu0);
  return { index, seed, kinds: m.kinds, load, runtime, cli, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, rss: process.memoryUsage().rss };
}

const send = (m: ToParent) => process.send!(m);

if (process.send) {
  // Warm up what the first mutant would otherwise pay for (MNIST, the wasm module).
  loadDataset('mnist', 'test', { limit: 4 });
  await InferenceSession.create(readFileSync(new URL('../../test/fixtures/lstm.onnx', import.meta.url)), { backend: 'wasm' });
  process.on('message', async (job: Job) => {
    for (const index of job.indices) {
      send({ type: 'start', index });
      send({ type: 'result', result: await runMutant(job, index, (stage) => send({ type: 'stage', stage })) });
    }
    send({ type: 'done' });
  });
  send({ type: 'ready' });
}
