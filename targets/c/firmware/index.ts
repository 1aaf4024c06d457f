// Test firmware for the C target (docs/design/c-target.md "Firmware"): the generated
// model plus a startup, a harness main, the test vectors and a linker script for a QEMU
// Arm board, built with Debian's clang and ld.lld (no C library: targets/c/freestanding.ts)
// and run in qemu-system-arm. `Firmware` compiles the model once and then runs any
// number of sample batches (each batch re-links only the harness and its vectors), so
// it serves the test firmware of `compile --firmware`, the tests, and the device runtimes.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from '../../../runtime/ir.ts';
import { RampartError } from '../../../runtime/errors.ts';
import { checkDevice } from '../budget.ts';
import { resolveDevice, DEVICES, type DeviceSpec } from '../devices.ts';
import { FREESTANDING_FLAGS, FREESTANDING_HEADERS, FREESTANDING_LIBM } from '../freestanding.ts';
import { compileC, type CCompilation } from '../index.ts';
import type { CTargetOptions } from '../options.ts';
import { CLANG_NAMES, needTool, runTool } from '../toolchain.ts';
import { BOARDS, type Board } from './boards.ts';
import { emulate, type EmulatorRun } from './emulate.ts';
import { firmwareSizes } from './elf.ts';
import { harnessSource, linkerScript, STACK_BYTES, STARTUP, vectorsSource } from './sources.ts';

export { BOARDS, type Board } from './boards.ts';

/** Devices whose firmware can run here: those with a QEMU board. */
export const EMULATED_DEVICES = Object.values(DEVICES).filter((d) => d.board).map((d) => d.name);

const PREFIX = 'rampart';

/** The board a device's firmware runs on, or a RampartError naming the devices that have one. */
export function boardOf(device: string | DeviceSpec): { device: DeviceSpec; board: Board } {
  const d = resolveDevice(device);
  const board = d.board ? BOARDS[d.board] : undefined;
  if (!board) throw new RampartError(`device '${d.name}' has no emulated board`, { expected: `one of ${EMULATED_DEVICES.join(', ')}` });
  return { device: d, board };
}

/** clang flags for the board's core, at -Os (what the flash estimate is fitted to) unless told otherwise. */
export function cflags(board: Board, optimize: FirmwareOptimize = 'Os'): string[] {
  if (!board.fpu) {
    throw new RampartError(`build: ${board.machine} (${board.cpu}) has no FPU, so its float code needs a soft-float runtime (__aeabi_fadd, ...), which clang + lld do not ship here`, {
      expected: `a board with an FPU (${Object.values(BOARDS).filter((b) => b.fpu).map((b) => b.machine).join(', ')})`,
    });
  }
  return ['--target=arm-none-eabi', `-mcpu=${board.cpu}`, '-mthumb', ...board.fpu, `-${optimize}`, '-std=c99', ...FREESTANDING_FLAGS,
    '-ffunction-sections', '-fdata-sections', '-Wall', '-Werror'];
}

export type FirmwareOptimize = 'Os' | 'O2';

export interface FirmwareRun extends EmulatorRun {
  board: Board;
  /** Instructions per inference: SysTick ticks times instructions per tick (from the calibration loop). */
  instructions: number[];
  /** From the linked ELF: flash = code + constants + .data's initial values (test vectors excluded); RAM = .data + .bss + the stack's high-water mark. */
  flashBytes: number;
  ramBytes: number;
  dataBytes: number;
  bssBytes: number;
}

export class Firmware {
  readonly c: CCompilation;
  readonly board: Board;
  readonly device: DeviceSpec;
  private readonly dir: string;
  private readonly clang: string;
  private readonly lld: string;
  private readonly flags: string[];

  /** Compiles the model for the device's board (the device's budget is checked first). */
  constructor(model: Model, opts: CTargetOptions & { device: string | DeviceSpec; optimize?: FirmwareOptimize }) {
    ({ device: this.device, board: this.board } = boardOf(opts.device));
    this.flags = cflags(this.board, opts.optimize);
    this.c = compileC(model, { ...opts, device: this.device, prefix: PREFIX });
    checkDevice(this.c.budget, opts.file);
    this.clang = needTool('build', CLANG_NAMES, 'clang');
    this.lld = needTool('link', ['ld.lld', 'ld.lld-14', 'ld.lld-15', 'ld.lld-16'], 'lld');
    this.dir = mkdtempSync(join(tmpdir(), 'rampart-fw-'));
    try {
      for (const f of this.fixedFiles()) this.write(f.name, f.text);
      for (const unit of ['model.c', 'startup.c', 'rp_libm.c']) this.compile(unit, opts.file);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  get inFloats(): number { return this.c.io.inputs.reduce((a, t) => a + t.size, 0); }
  get outFloats(): number { return this.c.io.outputs.reduce((a, t) => a + t.size, 0); }

  /** Samples per QEMU run: as many as the board's test-vector region holds. */
  get batch(): number {
    return Math.max(1, Math.floor(this.board.testdata.length / (4 * (this.inFloats + this.outFloats))));
  }

  /** The files of a self-contained firmware folder for these samples, with build.sh (the commands this class runs). */
  sources(samples: Float32Array[], expected: Float32Array[] | null, tolerance = 1e-5): { name: string; text: string }[] {
    const objs = ['model', 'startup', 'rp_libm', 'main', 'testdata'];
    const sh = ['#!/bin/sh', `# Builds and runs this firmware on QEMU's ${this.board.machine} (${this.board.description}). Generated by Rampart.`, 'set -e', 'cd "$(dirname "$0")"',
      ...objs.map((o) => `clang ${this.flags.join(' ')} -isystem include -c -o ${o}.o ${o}.c`),
      `ld.lld -T board.ld --gc-sections -o firmware.elf ${objs.map((o) => `${o}.o`).join(' ')}`,
      `qemu-system-arm -M ${this.board.machine} -display none -monitor none -serial none -chardev stdio,id=rp -semihosting-config enable=on,target=native,chardev=rp -icount shift=0 -kernel firmware.elf`, ''];
    return [...this.fixedFiles(), ...this.batchFiles(samples, expected, tolerance), { name: 'build.sh', text: sh.join('\n') }];
  }

  /** Links the harness for these samples (each the graph inputs concatenated), runs it, reads the outputs back. */
  run(samples: Float32Array[], expected: Float32Array[] | null = null, tolerance = 1e-5, file?: string): FirmwareRun {
    const runs: FirmwareRun[] = [];
    for (let at = 0; at < Math.max(1, samples.length); at += this.batch) {
      runs.push(this.runBatch(samples.slice(at, at + this.batch), expected ? expected.slice(at, at + this.batch) : null, tolerance, file));
    }
    const last = runs[runs.length - 1];
    const cat = <T>(pick: (r: FirmwareRun) => T[]) => runs.flatMap(pick);
    return {
      ...last, outputs: cat((r) => r.outputs), status: cat((r) => r.status), ticks: cat((r) => r.ticks), checks: cat((r) => r.checks),
      instructions: cat((r) => r.instructions), failures: runs.reduce((a, r) => a + r.failures, 0), stackBytes: Math.max(...runs.map((r) => r.stackBytes)),
      ramBytes: Math.max(...runs.map((r) => r.ramBytes)), log: runs.map((r) => r.log).join(''),
    };
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private runBatch(samples: Float32Array[], expected: Float32Array[] | null, tolerance: number, file?: string): FirmwareRun {
    for (const s of samples) {
      if (s.length !== this.inFloats) throw new RampartError(`a sample has ${s.length} floats`, { file, expected: `${this.inFloats} (the graph inputs concatenated)` });
    }
    for (const f of this.batchFiles(samples, expected, tolerance)) this.write(f.name, f.text);
    this.compile('main.c', file);
    this.compile('testdata.c', file);
    const objs = ['model', 'startup', 'rp_libm', 'main', 'testdata'].map((o) => `${o}.o`);
    runTool('link', this.lld, ['-T', 'board.ld', '--gc-sections', '-o', 'firmware.elf', ...objs], { cwd: this.dir, file });
    const elf = new Uint8Array(readFileSync(join(this.dir, 'firmware.elf')));
    const sizes = firmwareSizes(elf, file);
    const r = emulate(this.board, join(this.dir, 'firmware.elf'), samples.length, this.outFloats, { file });
    if (r.stackBytes >= STACK_BYTES) throw new RampartError(`emulate: the stack overflowed its ${STACK_BYTES} bytes on ${this.board.machine}`, { file });
    const perTick = r.calibration.instructions / r.calibration.ticks;
    return {
      ...r, board: this.board, instructions: r.ticks.map((t) => Math.round(t * perTick)),
      flashBytes: sizes.flashBytes, dataBytes: sizes.dataBytes, bssBytes: sizes.bssBytes, ramBytes: sizes.dataBytes + sizes.bssBytes + r.stackBytes,
    };
  }

  private fixedFiles(): { name: string; text: string }[] {
    return [
      { name: 'model.c', text: this.c.source }, { name: 'startup.c', text: STARTUP }, { name: 'rp_libm.c', text: FREESTANDING_LIBM },
      { name: 'board.ld', text: linkerScript(this.board) },
      ...Object.entries(FREESTANDING_HEADERS).map(([n, text]) => ({ name: `include/${n}`, text })),
    ];
  }

  private batchFiles(samples: Float32Array[], expected: Float32Array[] | null, tolerance: number): { name: string; text: string }[] {
    const flat = (l: Float32Array[], n: number) => {
      const out = new Float32Array(l.length * n);
      l.forEach((s, i) => out.set(s, i * n));
      return out;
    };
    return [
      { name: 'main.c', text: harnessSource({ prefix: PREFIX, samples: samples.length, inFloats: this.inFloats, outFloats: this.outFloats, tolerance: expected ? tolerance : null, title: `${this.c.budget.model} on ${this.board.description}` }) },
      { name: 'testdata.c', text: vectorsSource(flat(samples, this.inFloats), expected ? flat(expected, this.outFloats) : null) },
    ];
  }

  private write(name: string, text: string): void {
    mkdirSync(join(this.dir, name, '..'), { recursive: true });
    writeFileSync(join(this.dir, name), text);
  }

  private compile(unit: string, file?: string): void {
    runTool('build', this.clang, [...this.flags, '-isystem', join(this.dir, 'include'), '-c', '-o', unit.replace(/\.c$/, '.o'), unit], { cwd: this.dir, file });
  }
}
