// The recurrent ops of the reference kernel table (merged by runtime/ops/index.ts).
import type { KernelTable } from '../types.ts';
import { lstmKernel } from './lstm.ts';
import { gruKernel } from './gru.ts';
import { rnnKernel } from './rnn.ts';

export const recurrentKernels: KernelTable = {
  LSTM: lstmKernel,
  GRU: gruKernel,
  RNN: rnnKernel,
};

export {
  parseRecurrentConfig, readRecurrentInputs, weightSizes, checkRecurrentShapes, readSequenceLens, directionParams, runRecurrent,
  GATES, RECURRENT_OPS, isRecurrentKind,
} from './common.ts';
export type {
  RecurrentConfig, RecurrentInputs, RecurrentSizes, WeightSizes, RecurrentKind, DirectionParams, CellStep, Direction,
} from './common.ts';
export { swap01 } from './layout.ts';
export { lstmStep } from './lstm.ts';
export { gruStep } from './gru.ts';
export { rnnStep } from './rnn.ts';
export { buildActivations, activationName, activationFn, sigmoid, softplus, ACTIVATION_NAMES } from './activations.ts';
export type { Activation, ActivationName } from './activations.ts';
