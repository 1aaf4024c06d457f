// The one reader of ONNX external data, for the compiler (src/onnx/import.ts) and the
// runtime's file loader (runtime/host.ts) alike. External data files must live in the
// model's folder (or below it): an absolute location, a `..` that climbs out, or a
// symlink that points outside is refused, so a model file cannot make Rampart read
// arbitrary files. Only the bytes a tensor names are read (by offset and length),
// never the whole file: a model may point a 12-byte weight into a 1.5 GB file.
// node's fs and path are passed in, so that loading the runtime itself imports no node
// module (host.ts imports them lazily; the browser bundle has no file access at all).
import type * as Fs from 'node:fs';
import type * as Path from 'node:path';
import { RampartError } from './errors.ts';
import type { ExternalFile } from './onnx/tensor.ts';

export function externalDataReader(modelPath: string, fs: typeof Fs, path: typeof Path): (location: string) => ExternalFile {
  const dir = path.dirname(path.resolve(modelPath));
  const cache = new Map<string, ExternalFile>();
  const refuse = (location: string, why: string): never => {
    throw new RampartError(`external data location '${location}' ${why}`, {
      file: modelPath, expected: "a relative path inside the model's folder",
    });
  };
  const inside = (root: string, p: string) => {
    const r = path.relative(root, p);
    return r !== '' && !r.startsWith('..' + path.sep) && r !== '..' && !path.isAbsolute(r);
  };
  return (location) => {
    const hit = cache.get(location);
    if (hit) return hit;
    if (location.includes('\0')) refuse(location, 'contains a NUL byte');
    if (path.isAbsolute(location) || /^[a-zA-Z]:[\\/]/.test(location) || location.startsWith('\\')) refuse(location, 'is absolute');
    const full = path.resolve(dir, location);
    if (!inside(dir, full)) refuse(location, "escapes the model's folder");
    let real: string;
    try {
      real = fs.realpathSync(full);
    } catch {
      return refuse(location, 'does not exist');
    }
    if (!inside(fs.realpathSync(dir), real)) refuse(location, "resolves (through a symlink) outside the model's folder");
    const stat = fs.statSync(real);
    if (!stat.isFile()) refuse(location, 'is not a file');
    const file: ExternalFile = {
      size: stat.size,
      read: (offset, length) => {
        const bytes = new Uint8Array(length);
        const fd = fs.openSync(real, 'r');
        try {
          for (let got = 0; got < length;) {
            const n = fs.readSync(fd, bytes, got, length - got, offset + got);
            if (n === 0) refuse(location, `ended at ${offset + got} bytes while being read (it changed since it was opened)`);
            got += n;
          }
        } finally {
          fs.closeSync(fd);
        }
        return bytes;
      },
    };
    cache.set(location, file);
    return file;
  };
}
