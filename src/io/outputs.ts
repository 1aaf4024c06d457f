// Writing a set of output files all-or-nothing: every file goes to a temp name in
// the target folder first, and only when all are on disk are they renamed into place.
import { mkdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
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

export function writeFilesAtomically(dir: string, files: { name: string; bytes: Uint8Array }[]): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new RampartError(`cannot create the output folder: ${(e as Error).message}`, { file: dir });
  }
  if (!statSync(dir).isDirectory()) throw new RampartError('the output folder is a file', { file: dir });
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.name)) throw new RampartError(`two outputs map to the same file name '${f.name}'`, { file: dir });
    seen.add(f.name);
  }
  const temps: string[] = [];
  const done: string[] = [];
  try {
    for (const f of files) {
      const tmp = join(dir, `.${basename(f.name)}.${process.pid}.tmp`);
      temps.push(tmp);
      writeFileSync(tmp, f.bytes);
    }
    files.forEach((f, i) => {
      renameSync(temps[i], join(dir, f.name));
      done.push(join(dir, f.name));
    });
  } catch (e) {
    for (const t of [...temps, ...done]) {
      try { unlinkSync(t); } catch { /* not written yet */ }
    }
    throw new RampartError(`cannot write outputs: ${(e as Error).message}`, { file: dir });
  }
  return done;
}
