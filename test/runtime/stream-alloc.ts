// Child process of stream.test.ts: measures the JS heap growth of stream steps in a
// fresh process (other models run earlier in the same process make the step code
// polymorphic, and unoptimised code boxes floats, which is the JIT's doing, not
// the stream's). Prints {"least": bytes} — the least growth over 4 windows.
import { InferenceSession, Tensor } from '../../runtime/index.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { magnitudePrune } from './helpers.ts';

const [backend, fixture, steps] = [process.argv[2] as 'js' | 'wasm', process.argv[3], Number(process.argv[4])];
const gc = (globalThis as { gc?: () => void }).gc!;
const model = magnitudePrune(loadModel(new URL(`../fixtures/${fixture}.onnx`, import.meta.url).pathname), 0.9);
const s = await InferenceSession.fromModel(model, { backend });
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
process.stdout.write(JSON.stringify({ least, allocating: st.allocating }) + '\n');
