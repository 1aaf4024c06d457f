// The C file that turns a generated model into a WebAssembly module's exports: the
// model's input and output arrays as static buffers in the module's memory (their
// addresses exported), and argument-free run / step / reset around the C API. The
// loader writes a sample at input(), calls run() and reads output().
import type { CCompilation } from '../c/index.ts';

const size = (l: { size: number }[]) => l.reduce((a, t) => a + t.size, 0);

export function glueSource(io: CCompilation['io'], prefix: string): string {
  const inFloats = Math.max(size(io.inputs), io.step ? size(io.step.inputs) : 0, 1);
  const outFloats = Math.max(size(io.outputs), io.step ? size(io.step.outputs) : 0, 1);
  const lines = [
    '/* WebAssembly entry points of a Rampart model (targets/wasm/glue.ts). Generated. */',
    `int ${prefix}_run(const float *input, float *output);`,
    ...(io.step ? [`void ${prefix}_stream_reset(void);`, `int ${prefix}_stream_step(const float *input, float *output);`] : []),
    '',
    '/* One sample in, its outputs out: sized for the larger of a whole run and one stream step. */',
    `static float rp_in[${inFloats}], rp_out[${outFloats}];`,
    '',
    '__attribute__((export_name("input"))) float *rp_wasm_input(void) { return rp_in; }',
    '__attribute__((export_name("output"))) float *rp_wasm_output(void) { return rp_out; }',
    `__attribute__((export_name("run"))) int rp_wasm_run(void) { return ${prefix}_run(rp_in, rp_out); }`,
  ];
  if (io.step) {
    lines.push(
      `__attribute__((export_name("step"))) int rp_wasm_step(void) { return ${prefix}_stream_step(rp_in, rp_out); }`,
      `__attribute__((export_name("reset"))) void rp_wasm_reset(void) { ${prefix}_stream_reset(); }`,
    );
  }
  return lines.join('\n') + '\n';
}
