// Latency across runtimes, measured in one process and interleaved: every session of
// a run gets one call per round, in a fresh random order each round, so load from
// other processes and the caches a neighbour leaves hit all of them alike; median and
// spread (p10, p90) per session. `rampart bench` (and so `rampart main`) and
// bench/frontier.ts time through here.
import { readFileSync } from 'node:fs';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { RampartError } from '../../runtime/errors.ts';
import { InferenceSession } from '../../runtime/index.ts';
import { dimRole } from '../../runtime/dims.ts';
import type { Model, Tensor } from '../../runtime/ir.ts';
import { sizeOf } from '../../runtime/tensor.ts';
import { modelInputLayout } from '../data/index.ts';
import { loadModel } from '../onnx/import.ts';
import { silent, type Progress } from '../prune/progress.ts';
import { mulberry32, shuffled } from '../util/random.ts';
import type { LatencyStat, Runtime } from './types.ts';

/**
 * The runtimes a bench can time: 'c' is the C target built with the system's cc -O2
 * (c-session.ts); 'wasm-module' is `compile --target wasm`'s module instantiated in this
 * process. The default leaves the module out (it costs a clang build per model).
 */
export const BENCH_RUNTIMES = ['rampart-wasm', 'rampart-js', 'onnxruntime-node', 'onnxruntime-web', 'c', 'wasm-module'] as const satisfies readonly Runtime[];
export const DEFAULT_BENCH_RUNTIMES: readonly Runtime[] = ['rampart-wasm', 'rampart-js', 'onnxruntime-node', 'onnxruntime-web', 'c'];
export type BenchRuntime = (typeof BENCH_RUNTIMES)[number];

export function parseRuntimes(s: string): BenchRuntime[] {
  const out = s.split(',').map((x) => x.trim()).filter(Boolean);
  for (const r of out) {
    if (!(BENCH_RUNTIMES as readonly string[]).includes(r)) throw new RampartError(`--runtimes: unknown runtime '${r}'`, { expected: BENCH_RUNTIMES.join(', ') });
  }
  if (out.length === 0) throw new RampartError(`--runtimes ${s}`, { expected: `a comma list of ${BENCH_RUNTIMES.join(', ')}` });
  return [...new Set(out)] as BenchRuntime[];
}

export function stat(times: number[]): LatencyStat {
  const s = times.slice().sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))];
  return { medianMs: q(0.5), p10Ms: q(0.1), p90Ms: q(0.9), runs: s.length };
}

/**
 * A deterministic input per graph input: fixed dims as they are, the batch `batch`,
 * other free dims (a sequence) `symbolic` — by runtime/dims.ts's rule.
 */
export function feedsFor(model: Model, batch = 1, symbolic = 28): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const inp of model.graph.inputs) {
    if (model.graph.initializers[inp.name]) continue;
    const dims = (inp.shape ?? []).map((d, i) => (typeof d === 'number' && d > 0 ? d : dimRole(d, i) === 'batch' ? batch : symbolic));
    const data = new Float32Array(sizeOf(dims));
    for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 1000) / 1000;
    feeds[inp.name] = { dtype: 'float32', dims, data };
  }
  return feeds;
}

/** One session under timing. */
export interface Timed {
  label: string;
  run: () => Promise<unknown> | unknown;
  /** A session that times its own calls (a native process): one call, its ms. */
  measure?: () => Promise<number>;
  close: () => Promise<void> | void;
}

const ORT_OPTIONS = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' as const };

/** A session of `runtime` on the model file, fed `feeds` (one thread everywhere). */
export async function timedSession(runtime: BenchRuntime, file: string, feeds: Record<string, Tensor>, label = `${runtime} ${file}`): Promise<Timed> {
  switch (runtime) {
    case 'onnxruntime-node': {
      const s = await ortNode.InferenceSession.create(file, ORT_OPTIONS);
      const f: Record<string, ortNode.Tensor> = {};
      for (const [k, t] of Object.entries(feeds)) f[k] = new ortNode.Tensor('float32', t.data as Float32Array, t.dims);
      return { label, run: () => s.run(f), close: () => s.release() };
    }
    case 'onnxruntime-web': {
      ortWeb.env.wasm.numThreads = 1;
      ortWeb.env.logLevel = 'error';
      const s = await ortWeb.InferenceSession.create(new Uint8Array(readFileSync(file)), ORT_OPTIONS);
      const f: Record<string, ortWeb.Tensor> = {};
      for (const [k, t] of Object.entries(feeds)) f[k] = new ortWeb.Tensor('float32', t.data as Float32Array, t.dims);
      return { label, run: () => s.run(f), close: () => s.release() };
    }
    case 'c': {
      const { cSession } = await import('./c-session.ts');
      return cSession(file, feeds, label);
    }
    case 'wasm-module': {
      // The module reads its inputs from one float array in the order of io.inputs.
      const { compileWasm } = await import('../../targets/wasm/index.ts');
      const w = compileWasm(loadModel(file), { file });
      const { instance } = await WebAssembly.instantiate(new Uint8Array(w.wasm), {});
      const e = instance.exports as { memory: WebAssembly.Memory; input(): number; run(): number };
      const heap = new Float32Array(e.memory.buffer);
      const at = e.input() >>> 2;
      for (const t of w.io.inputs) {
        const x = feeds[t.name];
        if (!x || x.data.length !== t.size) throw new RampartError(`wasm-module: input '${t.name}' has ${x?.data.length ?? 0} values`, { file, expected: `${t.size} (batch 1)` });
        heap.set(x.data as Float32Array, at + t.offset);
      }
      const run = () => {
        const rc = e.run();
        if (rc !== 0) throw new RampartError(`wasm-module: the model returned status ${rc}`, { file });
      };
      run();
      return { label, run, close: () => {} };
    }
    case 'rampart-wasm':
    case 'rampart-js': {
      const s = await InferenceSession.create(file, { backend: runtime === 'rampart-wasm' ? 'wasm' : 'js' });
      // The first run packs the weights (dense, CSR or block CSR); warm-up absorbs it too.
      s.runSync(feeds);
      return { label, run: () => s.runSync(feeds), close: () => {} };
    }
  }
}

/** Back-to-back runs of a session per round; the first of each burst is not recorded. */
export const DEFAULT_BURST = 4;

export interface InterleaveOptions {
  rounds?: number;
  warmup?: number;
  /** After each round (progress bars). */
  onRound?: (done: number, total: number) => void;
  /** Seeds the order of the sessions within each round. */
  seed?: number;
  /**
   * Runs of a session back to back in each round (DEFAULT_BURST); the first re-warms the
   * caches the other sessions evicted and is not recorded. Without it every sample is a
   * cold-cache run, which is not what a deployed model sees and hurts runtimes unevenly
   * (measured on the zoo LSTM among 110 sessions: onnxruntime-node 0.370 ms cold against
   * 0.08 ms warm, Rampart wasm 0.170 against 0.13).
   */
  burst?: number;
}

/** Times every session round-robin; the stats in the sessions' order. */
export async function measureInterleaved(sessions: Timed[], o: InterleaveOptions = {}): Promise<LatencyStat[]> {
  const rounds = o.rounds ?? 200;
  const warmup = o.warmup ?? 10;
  const burst = Math.max(1, o.burst ?? DEFAULT_BURST);
  for (const t of sessions) for (let i = 0; i < warmup; i++) await t.run();
  const times = sessions.map(() => [] as number[]);
  const rand = mulberry32(o.seed ?? 0);
  for (let r = 0; r < rounds; r++) {
    // A fresh order every round: a session that always ran right after another one (its
    // twin on the same runtime, warm caches) or after a heavy one (a GC, cold caches)
    // would carry that neighbour's effect in every sample (measured: 3x on a 0.03 ms run).
    for (const k of shuffled(sessions.length, rand)) {
      const m = sessions[k].measure;
      for (let b = 0; b < burst; b++) {
        let ms: number;
        if (m) ms = await m();
        else {
          const t0 = performance.now();
          await sessions[k].run();
          ms = performance.now() - t0;
        }
        if (b > 0 || burst === 1) times[k].push(ms);
      }
    }
    o.onRound?.(r + 1, rounds);
  }
  return times.map(stat);
}

type ByBatch = Record<string, Partial<Record<Runtime, LatencyStat>>>;

export interface AgainstDense {
  model: Model;
  denseFile: string;
  /** null: the dense point itself (its latency is the dense sessions'). */
  pointFile: string | null;
  runtimes: BenchRuntime[];
  batches: number[];
  rounds?: number;
  warmup?: number;
  progress?: Progress;
  label: string;
}

/**
 * Every runtime on a point's file and on the dense model, in one interleaved run per
 * batch size (a model with a fixed batch is timed at its own, the batch recorded), all
 * on dense-stored files: onnxruntime has no sparse kernels (on a CSR file it would
 * rebuild every weight from the function bodies per call), and Rampart's packer picks
 * dense, CSR or block CSR per weight from the zeros — measured on the zoo LSTM, 10-15%
 * faster than running the CSR file, whose storage it keeps.
 */
export async function timeAgainstDense(a: AgainstDense): Promise<{ latency: ByBatch; denseLatency: ByBatch; notes: string[] }> {
  const progress = a.progress ?? silent;
  const latency: ByBatch = {}, denseLatency: ByBatch = {};
  const notes: string[] = [];
  const input = a.model.graph.inputs.find((i) => !(i.name in a.model.graph.initializers))!;
  const axis = modelInputLayout(input.shape).batchAxis;
  for (const b of a.batches) {
    const feeds = feedsFor(a.model, b);
    const batch = String(feeds[input.name].dims[axis]);
    if (latency[batch]) continue;
    const sessions: { runtime: BenchRuntime; dense: boolean; t: Timed }[] = [];
    try {
      for (const r of a.runtimes) {
        const open = async () => {
          const dense = await timedSession(r, a.denseFile, feeds);
          const mine = a.pointFile ? await timedSession(r, a.pointFile, feeds).catch(async (e) => { await dense.close(); throw e; }) : null;
          return { dense, mine };
        };
        let s: { dense: Timed; mine: Timed | null };
        try {
          s = await open();
        } catch (e) {
          // The C target (and the wasm module built from it) takes a subset of ONNX: a model it
          // refuses, or a machine without the compiler, is timed without it.
          if ((r !== 'c' && r !== 'wasm-module') || !(e instanceof RampartError)) throw e;
          notes.push(`${r} not timed: ${e.message}`);
          continue;
        }
        sessions.push({ runtime: r, dense: true, t: s.dense });
        if (s.mine) sessions.push({ runtime: r, dense: false, t: s.mine });
      }
    } catch (e) {
      for (const s of sessions) await s.t.close();
      if (!(e instanceof RampartError)) throw e;
      throw new RampartError(`cannot time ${a.label}: ${e.detail}`, { ...e.context, file: e.context.file ?? a.pointFile ?? a.denseFile }, { cause: e });
    }
    const rounds = a.rounds ?? 200;
    progress.start(`${a.label}: latency, batch ${batch}`, rounds);
    let stats: LatencyStat[];
    try {
      stats = await measureInterleaved(sessions.map((s) => s.t), { rounds, warmup: a.warmup, onRound: () => progress.tick(1) });
    } finally {
      progress.stop();
      for (const s of sessions) await s.t.close();
    }
    latency[batch] = {};
    denseLatency[batch] = {};
    sessions.forEach((s, k) => {
      if (s.dense) denseLatency[batch][s.runtime] = stats[k];
      if (!s.dense || !a.pointFile) latency[batch][s.runtime] = stats[k];
    });
  }
  return { latency, denseLatency, notes };
}
