// The one way Rampart writes a file: whole or not at all. The bytes go to a temp
// name in the target's own folder, are flushed to disk (fsync) and only then renamed
// over the target. A rename within a folder is atomic, so a reader sees the old file
// or the new one, never half of one; the fsync before it means a crash right after
// the rename cannot leave the new name pointing at unwritten blocks. A set of files
// (`rampart run`'s outputs) is renamed into place only once every one is on disk.
//
// Temp files are created with O_EXCL ('wx') under a random name, so a file or symlink
// planted at that name is never opened or followed. A process stopped by SIGINT,
// SIGTERM or SIGHUP finishes the write under way (it is synchronous: the signal is
// handled after it) and removes any temp file still open, then dies of the signal
// as it would have. Only SIGKILL or a crash can leave one behind; the next write of
// the same target removes those whose process is gone.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { RampartError } from '../../runtime/errors.ts';

/** Temp files written and not yet renamed or removed. */
const pending = new Set<string>();

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function onSignal(signal: NodeJS.Signals): void {
  for (const t of pending) unlinkQuietly(t);
  pending.clear();
  // Alone, this listener is what kept the signal from ending the process: end it the
  // way the signal would have. Beside other listeners, they decide.
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  }
}
for (const s of SIGNALS) process.on(s, onSignal);

const tempPattern = (target: string) => new RegExp(`^\\.${basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temp files of `target` left by processes that no longer exist. */
function removeStaleTemps(target: string): void {
  const re = tempPattern(target);
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return;
  }
  for (const n of names) {
    const m = re.exec(n);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) unlinkQuietly(join(dirname(target), n));
  }
}

/** Writes `bytes` to a new temp file beside `path`, fsynced and closed; returns its name. */
function writeTemp(path: string, bytes: Uint8Array): string {
  removeStaleTemps(path);
  let tmp = '';
  let fd = -1;
  for (let attempt = 0; fd < 0; attempt++) {
    tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      fd = openSync(tmp, 'wx', 0o644);
    } catch (e) {
      // Something already has that name (planted, or a 1-in-2^48 collision): never open it.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 4) throw e;
    }
  }
  pending.add(tmp);
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
  pending.delete(path);
  try { unlinkSync(path); } catch { /* never written, or already renamed away */ }
}

function renameTemp(tmp: string, path: string): void {
  renameSync(tmp, path);
  pending.delete(tmp);
}

/** The folder a file is to be written in must exist; saying which one it is beats naming a temp file. */
function checkFolder(path: string): void {
  const dir = dirname(path);
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new RampartError(`cannot write the file: its folder ${dir} does not exist`, { file: path, expected: 'an existing output folder' });
  }
  if (!isDir) throw new RampartError(`cannot write the file: ${dir} is not a folder`, { file: path });
}

const asBytes = (data: Uint8Array | string): Uint8Array => (typeof data === 'string' ? new TextEncoder().encode(data) : data);

/** Writes one file atomically; its folder must exist. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  checkFolder(path);
  let tmp: string | undefined;
  try {
    tmp = writeTemp(path, asBytes(data));
    renameTemp(tmp, path);
  } catch (e) {
    if (tmp) unlinkQuietly(tmp);
    throw new RampartError(`cannot write the file: ${(e as Error).message}`, { file: path }, { cause: e });
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
      renameTemp(temps[i], join(dir, f.name));
      done.push(join(dir, f.name));
    });
  } catch (e) {
    for (const t of [...temps, ...done]) unlinkQuietly(t);
    throw new RampartError(`cannot write outputs: ${(e as Error).message}`, { file: dir }, { cause: e });
  }
  return done;
}
