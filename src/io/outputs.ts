// Output file names for `rampart run`: a graph value name -> a file inside the output
// folder. The files themselves are written by src/io/atomic.ts (all or nothing).
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { RampartError } from '../../runtime/errors.ts';

/**
 * A graph value name → a file name inside `dir`. Names are sanitised to
 * [A-Za-z0-9._-] ('onnx::Gemm_5' → 'onnx__Gemm_5'), but a name that, read as a path,
 * would land outside `dir` ('../x', '/etc/x', '.', '..') is refused: it is either a
 * hostile model or a mistake, and silently renaming it would hide that.
 */
export function outputFileName(name: string, dir: string, ext: string): string {
  const root = resolve(dir);
  const rel = relative(root, resolve(root, name));
  if (name === '' || isAbsolute(name) || rel === '' || rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel)) {
    throw new RampartError(`output name '${name}' would escape the output folder ${dir}`, {
      expected: 'output names that are plain file names',
    });
  }
  return name.replace(/[^A-Za-z0-9._-]/g, '_') + ext;
}
