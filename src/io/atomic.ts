// The one way Rampart writes a file: whole or not at all. The bytes go to a temp
// name in the target's own folder, are flushed to disk (fsync) and only then renamed
// over the target. A rename within a folder is atomic, so a reader sees the old file
// or the new one, never half of one; the fsync before it means a crash right after
// the rename cannot leave the new name pointing at unwritten blocks. A set of files
// (`rampart run`'s outputs) is renamed into place only once every one is on disk.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RampartError } from '../../runtime/errors.ts';

let serial = 0;

/** Writes `bytes` to a new temp file beside `path`, fsynced and closed; returns its name. */
function writeTemp(path: string, bytes: Uint8Array): string {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${(serial++).toString(36)}.tmp`);
  const fd = openSync(tmp, 'wx');
  try {
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkQuietly(tmp);
    throw e;
  }
  closeSync(fd);
  return tmp;
}

function unlinkQuietly(path: string): void {
  try { unlinkSync(path); } catch { /* never written, or already renamed away */ }
}

const asBytes = (data: Uint8Array | string): Uint8Array => (typeof data === 'string' ? new TextEncoder().encode(data) : data);

/** Writes one file atomically; its folder must exist. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  let tmp: string | undefined;
  try {
    tmp = writeTemp(path, asBytes(data));
    renameSync(tmp, path);
  } catch (e) {
    if (tmp) unlinkQuietly(tmp);
    throw new RampartError(`could not write the file: ${(e as Error).message}`, { file: path }, { cause: e });
  }
}

/**
 * Writes every file into `dir` (created if missing) or none: all are written to temp
 * names first, then renamed; any failure removes what was written. Returns the paths.
 */
export function writeFilesAtomically(dir: string, files: { name: string; bytes: Uint8Array }[]): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new RampartError(`cannot create the output folder: ${(e as Error).message}`, { file: dir }, { cause: e });
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
    for (const f of files) temps.push(writeTemp(join(dir, f.name), f.bytes));
    files.forEach((f, i) => {
      renameSync(temps[i], join(dir, f.name));
      done.push(join(dir, f.name));
    });
  } catch (e) {
    for (const t of [...temps, ...done]) unlinkQuietly(t);
    throw new RampartError(`cannot write outputs: ${(e as Error).message}`, { file: dir }, { cause: e });
  }
  return done;
}
