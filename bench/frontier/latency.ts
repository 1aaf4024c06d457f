// Batch-1 latency for the frontier: every session of one model family (onnxruntime-node
// and -web on the dense model, Rampart's wasm and js backends on the dense and on every
// pruned model) measured round-robin in one process, so that load from other processes
// hits all of them alike. Median and spread (p10, p90) per session. The sessions and
// the interleaved timer are the product's (src/bench/latency.ts, what `rampart bench` uses).
import { existsSync } from 'node:fs';
import { InferenceSession } from '../../runtime/index.ts';
import type { PackRecord } from '../../runtime/kernels/env.ts';
import { feedsFor, measureInterleaved, timedSession, type Timed } from '../../src/bench/latency.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { log } from '../evidence/common.ts';
import type { FrontierFile, LatencyStat, Runtime } from './types.ts';

const ROUNDS = 200;
const WARMUP = 10;

export async function measureFrontierLatency(file: FrontierFile, models: string[], save: (f: FrontierFile) => void): Promise<void> {
  for (const name of models) {
    const info = file.models[name];
    if (!info) continue;
    const feeds = feedsFor(loadModel(info.path), 1, 1);
    const timed: Timed[] = [];
    const done: ((s: LatencyStat) => void)[] = [];
    const dense: Partial<Record<Runtime, LatencyStat>> = {};
    info.denseLatency = dense;
    for (const r of ['onnxruntime-node', 'onnxruntime-web', 'rampart-wasm', 'rampart-js'] as const) {
      timed.push(await timedSession(r, info.path, feeds));
      done.push((s) => { dense[r] = s; });
    }
    const points = Object.values(file.points).filter((p) => p.model === name && existsSync(p.modelFile));
    for (const p of points) {
      const latency: NonNullable<typeof p.latency> = { formats: [] };
      p.latency = latency;
      for (const r of ['rampart-wasm', 'rampart-js'] as const) {
        timed.push(await timedSession(r, p.modelFile, feeds));
        done.push((s) => { latency[r] = s; });
      }
      // Which format each weight was packed in (the wasm backend's packer, after one run).
      const probe = await InferenceSession.create(p.modelFile, { backend: 'wasm' });
      probe.runSync(feeds);
      latency.formats = probe.layers().map((l) => `${l.node}/${l.input}: ${describeFormat(l)}`);
    }
    log(`${name}: timing ${timed.length} sessions, ${ROUNDS} interleaved rounds`);
    const stats = await measureInterleaved(timed, { rounds: ROUNDS, warmup: WARMUP });
    stats.forEach((s, k) => done[k](s));
    for (const t of timed) await t.close();
    log(`${name}: dense ort-node ${dense['onnxruntime-node']!.medianMs.toFixed(3)} ms, ort-web ${dense['onnxruntime-web']!.medianMs.toFixed(3)} ms, rampart wasm ${dense['rampart-wasm']!.medianMs.toFixed(3)} ms`);
    save(file);
  }
}

function describeFormat(l: PackRecord): string {
  const b = l.block ? ` ${l.block.br}x${l.block.bc}${l.block.map !== 'natural' ? ` ${l.block.map}` : ''}` : '';
  return `${l.format}${b} [${l.rows}x${l.cols}] density ${l.density.toFixed(3)}`;
}
