// Runs a firmware in qemu-system-arm and reads back what it printed over semihosting
// (sources.ts documents the lines). Deterministic: -icount shift=0 makes every
// instruction one nanosecond of virtual time, so SysTick ticks count instructions.
import { RampartError } from '../../../runtime/errors.ts';
import { needTool, runTool } from '../toolchain.ts';
import type { Board } from './boards.ts';

export interface EmulatorRun {
  /** Per sample: the outputs, the status rampart_run returned, the SysTick ticks it took. */
  outputs: Float32Array[];
  status: number[];
  ticks: number[];
  /** Per sample, when expected outputs were embedded: max |y - expected| as the firmware computed it. */
  checks: number[];
  calibration: { instructions: number; ticks: number };
  stackBytes: number;
  failures: number;
  /** Everything printed, for messages. */
  log: string;
}

const f32 = (hex: string) => new Float32Array(new Uint32Array([parseInt(hex, 16)]).buffer)[0];
const u32 = (hex: string) => parseInt(hex, 16) >>> 0;
const u64 = (hi: string, lo: string) => u32(hi) * 2 ** 32 + u32(lo);

export function emulate(board: Board, elfPath: string, samples: number, outFloats: number, opts: { timeoutMs?: number; file?: string } = {}): EmulatorRun {
  const qemu = needTool('emulate', ['qemu-system-arm'], 'qemu-system-arm');
  const args = ['-M', board.machine, '-display', 'none', '-monitor', 'none', '-serial', 'none',
    '-chardev', 'stdio,id=rp', '-semihosting-config', 'enable=on,target=native,chardev=rp', '-icount', 'shift=0', '-kernel', elfPath];
  // Exit status 1 is the firmware's own "a check failed" (SYS_EXIT): parsed, then reported below.
  const r = runTool('emulate', qemu, args, { timeoutMs: opts.timeoutMs ?? 300_000, file: opts.file, okStatus: [0, 1] });
  const log = r.stdout;
  const outputs = Array.from({ length: samples }, () => new Float32Array(outFloats).fill(NaN));
  const status: number[] = [], ticks: number[] = [], checks: number[] = [];
  let calibration: EmulatorRun['calibration'] | null = null;
  let stackBytes = -1, failures = -1;
  for (const line of log.split('\n')) {
    const [tag, ...w] = line.trim().split(/\s+/);
    if (tag === 'y') {
      const s = u32(w[0]), at = u32(w[1]);
      w.slice(2).forEach((h, i) => { outputs[s][at + i] = f32(h); });
    } else if (tag === 'run') {
      status[u32(w[0])] = u32(w[1]) | 0;
      ticks[u32(w[0])] = u64(w[2], w[3]);
    } else if (tag === 'check') checks[u32(w[0])] = f32(w[1]);
    else if (tag === 'calib') calibration = { instructions: u32(w[0]), ticks: u64(w[1], w[2]) };
    else if (tag === 'stack') stackBytes = u32(w[0]);
    else if (tag === 'done') failures = u32(w[0]);
  }
  const fault = /fault cfsr=\w+/.exec(log)?.[0];
  if (failures < 0 || !calibration || status.length !== samples) {
    const tail = (log.trim() || r.stderr.trim()).split('\n').slice(-4).join(' | ');
    throw new RampartError(`emulate failed: the firmware on ${board.machine} did not finish (${fault ?? `status ${r.status}`})${tail ? `: ${tail}` : ''}`, { file: opts.file });
  }
  return { outputs, status, ticks, checks, calibration, stackBytes, failures, log };
}
