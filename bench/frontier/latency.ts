// Batch-1 latency for the frontier: per Rampart model (dense or pruned), a group of four
// sessions (onnxruntime-node and -web on the dense model, Rampart's wasm and js backends
// on that model) measured round-robin in one process, so that load from other processes
// hits all of them alike. Median and spread (p10, p90) per session. The sessions and
// the interleaved timer are the product's (src/bench/latency.ts, what `rampart bench` uses).
import { existsSync } from 'node:fs';
import { InferenceSession } from '../../runtime/index.ts';
import type { PackRecord } from '../../runtime/kernels/env.ts';
import { feedsFor, measureInterleaved, timedSession } from '../../src/bench/latency.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { log } from '../evidence/common.ts';
import type { FrontierFile, LatencyStat, Runtime } from './types.ts';

const ROUNDS = 100;
const WARMUP = 10;

export async function measureFrontierLatency(file: FrontierFile, models: string[], save: (f: FrontierFile) => void): Promise<void> {
  for (const name of models) {
    const info = file.models[name];
    if (!info) continue;
    const feeds = feedsFor(loadModel(info.path), 1, 1);
    // onnxruntime's sessions (on the dense model) are shared by every group.
    const ortNode = await timedSession('onnxruntime-node', info.path, feeds);
    const ortWeb = await timedSession('onnxruntime-web', info.path, feeds);
    // One small group at a time: onnxruntime on the dense model interleaved with one
    // Rampart model on both backends. Interleaving a hundred sessions at once measured
    // onnxruntime-node at 0.149 ms on the zoo LSTM against 0.080 in a group of three:
    // the other sessions' memory evicts its caches, a cost no deployed model pays.
    const group = async (file: string): Promise<LatencyStat[]> => {
      const wasm = await timedSession('rampart-wasm', file, feeds), js = await timedSession('rampart-js', file, feeds);
      const st = await measureInterleaved([ortNode, ortWeb, wasm, js], { rounds: ROUNDS, warmup: WARMUP });
      await wasm.close();
      await js.close();
      return st;
    };
    const [dn, dw, dwasm, djs] = await group(info.path);
    info.denseLatency = { 'onnxruntime-node': dn, 'onnxruntime-web': dw, 'rampart-wasm': dwasm, 'rampart-js': djs };
    const points = Object.values(file.points).filter((p) => p.model === name && existsSync(p.modelFile));
    log(`${name}: ${points.length + 1} groups of 4 sessions, ${ROUNDS} interleaved rounds of 4 back-to-back runs each (the first not recorded)`);
    for (const p of points) {
      const [n, w, wasm, js] = await group(p.modelFile);
      // Which format each weight was packed in (the wasm backend's packer, after one run).
      const probe = await InferenceSession.create(p.modelFile, { backend: 'wasm' });
      probe.runSync(feeds);
      p.latency = { 'rampart-wasm': wasm, 'rampart-js': js, 'onnxruntime-node': n, 'onnxruntime-web': w, formats: probe.layers().map((l) => `${l.node}/${l.input}: ${describeFormat(l)}`) };
    }
    await ortNode.close();
    await ortWeb.close();
    log(`${name}: dense ort-node ${dn.medianMs.toFixed(3)} ms, ort-web ${dw.medianMs.toFixed(3)} ms, rampart wasm ${dwasm.medianMs.toFixed(3)} ms`);
    save(file);
  }
}

function describeFormat(l: PackRecord): string {
  const b = l.block ? ` ${l.block.br}x${l.block.bc}${l.block.map !== 'natural' ? ` ${l.block.map}` : ''}` : '';
  return `${l.format}${b} [${l.rows}x${l.cols}] density ${l.density.toFixed(3)}`;
}
