// Moved to runtime/onnx/attr-rules.ts with the validator (one validation for the compiler and the runtime).
export { checkOpAttrs } from '../../runtime/onnx/attr-rules.ts';
