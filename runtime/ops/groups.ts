// The closed op vocabulary, in named groups, so passes ask "is it prunable" or
// "is it recurrent" instead of listing op names.

export const RECURRENT_OPS = ['LSTM', 'GRU', 'RNN'] as const;

/** Ops whose weight input is a prunable matrix, and where that weight sits. */
export const PRUNABLE_OPS = ['Gemm', 'MatMul', 'Conv', ...RECURRENT_OPS] as const;

export const ELEMENTWISE_BINARY_OPS = ['Add', 'Sub', 'Mul', 'Div'] as const;

export const UNARY_OPS = ['Relu', 'LeakyRelu', 'Sigmoid', 'HardSigmoid', 'Tanh', 'Clip', 'Identity', 'Dropout', 'Cast'] as const;

export const SHAPE_OPS = [
  'Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Concat', 'Slice', 'Gather', 'Shape',
  'ConstantOfShape', 'Constant', 'Pad',
] as const;

export const POOL_OPS = ['MaxPool', 'AveragePool', 'GlobalAveragePool'] as const;

export const NORM_OPS = ['BatchNormalization', 'Softmax', 'LogSoftmax'] as const;

/** Every ai.onnx op the compiler and runtime support. */
export const SUPPORTED_OPS: readonly string[] = [
  ...PRUNABLE_OPS, ...ELEMENTWISE_BINARY_OPS, ...UNARY_OPS, ...SHAPE_OPS, ...POOL_OPS, ...NORM_OPS,
];

export function isRecurrent(op: string): boolean {
  return (RECURRENT_OPS as readonly string[]).includes(op);
}

export function isPrunable(op: string): boolean {
  return (PRUNABLE_OPS as readonly string[]).includes(op);
}

export function isSupported(op: string): boolean {
  return SUPPORTED_OPS.includes(op);
}
