// Child process of stream.test.ts: measures the JS heap growth of stream steps in a
// fresh process (other models run earlier in the same process make the step code
// polymorphic, and unoptimised code boxes floats, which is the JIT's doing, not
// the stream's). Prints {"least": bytes, "allocating": [...], "formats": [...]}: the
// least growth over 4 windows. Weights: 'csr' (default) magnitude-pruned to 90%; 'bsr'
// 8x1 gate-fused blocks, 75% pruned, forced to block CSR (bsr-models.test.ts).
import { InferenceSession, Tensor } from '../../runtime/index.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { blockPrune } from './bsr-masks.ts';
import { magnitudePrune } from './helpers.ts';

const [backend, fixture, steps, weights] = [process.argv[2] as 'js' | 'wasm', process.argv[3], Number(process.argv[4]), process.argv[5] ?? 'csr'];
const gc = (globalThis as { gc?: () => void }).gc!;
const base = loadModel(new URL(`../fixtures/${fixture}.onnx`, import.meta.url).pathname);
const model = weights === 'bsr' ? blockPrune(base, 8, 'gate-fused', 0.25) : magnitudePrune(base, 0.9);
const s = await InferenceSession.fromModel(model, weights === 'bsr' ? { backend, format: { bsr: 8 } } : { backend });
const st = s.createStream();
const [, , I] = model.graph.inputs[0].shape as number[];
const feeds = { [s.inputNames[0]]: new Tensor('float32', new Float32Array(I).fill(0.5), [1, 1, I]) };
for (let i = 0; i < 30000; i++) st.step(feeds);
let least = Infinity;
for (let w = 0; w < 4; w++) {
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < steps; i++) st.step(feeds);
  least = Math.min(least, process.memoryUsage().heapUsed - before);
}
process.stdout.write(JSON.stringify({ least, allocating: st.allocating, formats: s.layers().map((l) => l.format) }) + '\n');
