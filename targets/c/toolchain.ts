// The external tools the compiled targets build with (clang, wasm-ld / ld.lld through
// clang, cc, qemu-system-arm), found on PATH by their Debian names, and one way to run
// them: a failure is a RampartError naming the step (compile, link, emulate, ...), the
// tool and the tool's own first lines of output.
import { spawnSync } from 'node:child_process';
import { RampartError } from '../../runtime/errors.ts';

const SETUP = 'run `bash scripts/setup.sh` (it installs the Debian packages the targets build with)';

const found = new Map<string, string | null>();

/** The first of `names` that runs with `probe` (default --version), or null; remembered per list. */
export function findTool(names: string[], probe: string[] = ['--version']): string | null {
  const key = names.join('|');
  if (!found.has(key)) {
    found.set(key, names.find((n) => spawnSync(n, probe, { stdio: 'ignore' }).status === 0) ?? null);
  }
  return found.get(key)!;
}

/** Like findTool, or a RampartError naming the step, what was looked for and the Debian package. */
export function needTool(step: string, names: string[], pkg: string, probe?: string[]): string {
  const t = findTool(names, probe);
  if (!t) throw new RampartError(`${step}: no ${names[0]} on PATH (tried ${names.join(', ')})`, { expected: `Debian's ${pkg}: ${SETUP}` });
  return t;
}

/** Debian's clang, unversioned or versioned. */
export const CLANG_NAMES = ['clang', 'clang-14', 'clang-15', 'clang-16', 'clang-19'];

export interface ToolRun { stdout: string; stderr: string; status: number | null; /** stdout as bytes */ bytes: Uint8Array }

/**
 * Runs `tool args` and returns its output; throws a RampartError `<step> failed: <tool>:
 * <first lines of its stderr or stdout>` when it exits non-zero, is killed or times out.
 */
export function runTool(step: string, tool: string, args: string[], opts: { cwd?: string; input?: Uint8Array; timeoutMs?: number; file?: string; okStatus?: number[] } = {}): ToolRun {
  const r = spawnSync(tool, args, { cwd: opts.cwd, input: opts.input, timeout: opts.timeoutMs ?? 300_000, maxBuffer: 1 << 28, encoding: 'buffer' });
  const bytes = r.stdout ?? Buffer.alloc(0);
  const stdout = bytes.toString(), stderr = r.stderr?.toString() ?? '';
  const ok = opts.okStatus ?? [0];
  if (r.error || r.status === null || !ok.includes(r.status)) {
    const why = r.error ? (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `timed out after ${(opts.timeoutMs ?? 300_000) / 1000} s` : r.error.message
      : r.status === null ? `killed by ${r.signal}` : `exit ${r.status}`;
    const text = (stderr.trim() || stdout.trim()).split('\n').slice(0, 6).join(' | ');
    throw new RampartError(`${step} failed: ${tool} (${why})${text ? `: ${text}` : ''}`, { file: opts.file });
  }
  return { stdout, stderr, status: r.status, bytes };
}
