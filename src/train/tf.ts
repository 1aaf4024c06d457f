// The one place that imports tfjs. Importing the wasm backend registers it next to
// tfjs's own cpu backend; which one runs is chosen per model by backend.ts.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

// tfjs's cpu backend prints a banner recommending tfjs-node on first use under Node.
// tfjs-node cannot install here (it downloads libtensorflow), so the advice is noise
// in CLI output; production mode silences tfjs's warnings and nothing else we use.
tf.enableProdMode();

// tfjs picks its highest-priority registered backend (wasm) lazily, and wasm needs an
// async initialisation: a tf call before `await useBackend(...)` would throw "backend
// 'wasm' has not yet been initialized". The cpu backend initialises synchronously, so
// it is the safe default until backend.ts switches (setBackend completes before its
// first await for cpu; tensors made meanwhile move to the new backend lazily).
void tf.setBackend('cpu');

export { tf };
