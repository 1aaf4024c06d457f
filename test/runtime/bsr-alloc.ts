// Child process of bsr-models.test.ts: the JS heap growth of stream steps over BSR
// weights (the lstm fixture with 8x1 gate-fused blocks, 75% pruned, forced to BSR) in
// a fresh process, as test/runtime/stream-alloc.ts measures it for CSR. Prints
// {"least": bytes, "allocating": [...], "formats": [...]}.
import { InferenceSession, Tensor } from '../../runtime/index.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { blockPrune } from './bsr-masks.ts';

const [backend, fixture, steps] = [process.argv[2] as 'js' | 'wasm', process.argv[3], Number(process.argv[4])];
const gc = (globalThis as { gc?: () => void }).gc!;
const model = blockPrune(loadModel(new URL(`../fixtures/${fixture}.onnx`, import.meta.url).pathname), 8, 'gate-fused', 0.25);
const s = await InferenceSession.fromModel(model, { backend, format: { bsr: 8 } });
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
