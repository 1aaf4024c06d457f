// Batch-1 latency for the frontier: every session of one model family (onnxruntime-node
// and -web on the dense model, Rampart's wasm and js backends on the dense and on every
// pruned model) measured round-robin in one process, so that load from other processes
// hits all of them alike. Median and spread (p10, p90) per session.
import { existsSync } from 'node:fs';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import type { Tensor } from '../../runtime/ir.ts';
import { InferenceSession } from '../../runtime/index.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { log } from '../evidence/common.ts';
import type { FrontierFile, LatencyStat, Runtime } from './types.ts';

const ROUNDS = 200;
const WARMUP = 10;

interface Timed {
  run: () => Promise<unknown> | unknown;
  times: number[];
  done: (s: LatencyStat) => void;
}

function stat(times: number[]): LatencyStat {
  const s = times.slice().sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))];
  return { medianMs: q(0.5), p10Ms: q(0.1), p90Ms: q(0.9), runs: s.length };
}

function feedsFor(path: string): Record<string, Tensor> {
  const m = loadModel(path);
  const feeds: Record<string, Tensor> = {};
  for (const inp of m.graph.inputs) {
    if (m.graph.initializers[inp.name]) continue;
    const dims = (inp.shape ?? []).map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 1000) / 1000;
    feeds[inp.name] = { dtype: 'float32', dims, data };
  }
  return feeds;
}

export async function measureFrontierLatency(file: FrontierFile, models: string[], save: (f: FrontierFile) => void): Promise<void> {
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.logLevel = 'error';
  for (const name of models) {
    const info = file.models[name];
    if (!info) continue;
    const feeds = feedsFor(info.path);
    const timed: Timed[] = [];
    const ortFeeds: Record<string, ortNode.Tensor> = {};
    for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ortNode.Tensor('float32', t.data as Float32Array, t.dims);
    const webFeeds: Record<string, ortWeb.Tensor> = {};
    for (const [k, t] of Object.entries(feeds)) webFeeds[k] = new ortWeb.Tensor('float32', t.data as Float32Array, t.dims);
    const opts = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' as const };
    const on = await ortNode.InferenceSession.create(info.path, opts);
    const ow = await ortWeb.InferenceSession.create(new Uint8Array((await import('node:fs')).readFileSync(info.path)), opts);
    const dense: Partial<Record<Runtime, LatencyStat>> = {};
    info.denseLatency = dense;
    timed.push({ run: () => on.run(ortFeeds), times: [], done: (s) => { dense['onnxruntime-node'] = s; } });
    timed.push({ run: () => ow.run(webFeeds), times: [], done: (s) => { dense['onnxruntime-web'] = s; } });
    for (const backend of ['wasm', 'js'] as const) {
      const s = await InferenceSession.create(info.path, { backend });
      timed.push({ run: () => s.run(feeds), times: [], done: (st) => { dense[`rampart-${backend}`] = st; } });
    }
    const points = Object.values(file.points).filter((p) => p.model === name && existsSync(p.modelFile));
    for (const p of points) {
      p.latency = { formats: [] };
      for (const backend of ['wasm', 'js'] as const) {
        const s = await InferenceSession.create(p.modelFile, { backend });
        await s.run(feeds);
        if (backend === 'wasm') p.latency.formats = s.layers().map((l) => `${l.node}/${l.input}: ${describeFormat(l)}`);
        timed.push({ run: () => s.run(feeds), times: [], done: (st) => { p.latency![`rampart-${backend}`] = st; } });
      }
    }
    log(`${name}: timing ${timed.length} sessions, ${ROUNDS} interleaved rounds`);
    for (const t of timed) for (let i = 0; i < WARMUP; i++) await t.run();
    for (let r = 0; r < ROUNDS; r++) {
      for (const t of timed) {
        const t0 = performance.now();
        await t.run();
        t.times.push(performance.now() - t0);
      }
    }
    for (const t of timed) t.done(stat(t.times));
    log(`${name}: dense ort-node ${dense['onnxruntime-node']!.medianMs.toFixed(3)} ms, ort-web ${dense['onnxruntime-web']!.medianMs.toFixed(3)} ms, rampart wasm ${dense['rampart-wasm']!.medianMs.toFixed(3)} ms`);
    save(file);
  }
}

function describeFormat(l: { format: string; rows: number; cols: number; density: number }): string {
  const block = (l as unknown as Record<string, unknown>).block as { br?: number; bc?: number; rowMap?: string } | undefined;
  const b = block && typeof block === 'object' ? ` ${block.br}x${block.bc}${block.rowMap && block.rowMap !== 'natural' ? ` ${block.rowMap}` : ''}` : '';
  return `${l.format}${b} [${l.rows}x${l.cols}] density ${l.density.toFixed(3)}`;
}
