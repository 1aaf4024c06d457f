// Rampart's runtime, public API. Shaped like onnxruntime's:
//   const s = await InferenceSession.create('model.onnx', { backend: 'wasm' });
//   const out = await s.run({ input: new Tensor('float32', data, [1, 28, 28]) });
// plus a streaming API for recurrent models (one time step per call, state kept):
//   const st = s.createStream(); st.step({ input: oneStep });
// This module and everything under runtime/ never import the compiler (src/).
export { InferenceSession, Tensor, type SessionOptions, type TensorType } from './session.ts';
export { RecurrentStream } from './kernels/stream.ts';
export type { BackendName } from './kernels/index.ts';
export type { PackRecord } from './kernels/env.ts';
export { RampartError } from './errors.ts';
export type { Model, Csr } from './ir.ts';
export { csrFromDense, csrToDense, validateCsr } from './csr.ts';
