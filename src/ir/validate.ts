// The IR validator lives in the runtime (runtime/onnx/validate.ts), so that the
// compiler's loader and the runtime's InferenceSession.create refuse the same files.
export { csrOperands, validateCsr, validateModel, validateTensor, type ValidateOptions } from '../../runtime/onnx/validate.ts';
