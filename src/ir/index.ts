// The compiler's view of the IR: the plain-data types of runtime/ir.ts plus the
// validator and shape inference.
export type {
  Attr, Csr, DType, Dim, FunctionDef, Graph, Model, Node, OpsetImport, Tensor, TensorData, ValueInfo,
} from '../../runtime/ir.ts';
export { DEFAULT_DOMAIN, RAMPART_DOMAIN, onnxOpset } from '../../runtime/ir.ts';
export { csrOperands, validateCsr, validateModel, validateTensor, type ValidateOptions } from './validate.ts';
export { checkFeeds, checkInputShape, inferShapes, SHAPE_RULES, type FeedInfo } from './shapes.ts';
export { constantValue } from '../../runtime/onnx/normalise.ts';
