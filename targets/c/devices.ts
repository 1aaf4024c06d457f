// Microcontroller budgets for the C target: how much flash (weights + code) and SRAM
// (scratch arena + recurrent state + the caller's input/output buffers) a model may
// take on a typical part of each class. The numbers are the whole chip's; the
// application shares them, so a model that "fits" with nothing to spare will not
// fit a real firmware — pass `device: { name, flashBytes, sramBytes }` to budget
// for what your application leaves free.
import { RampartError } from '../../runtime/errors.ts';

export interface DeviceSpec {
  name: string;
  flashBytes: number;
  sramBytes: number;
  /** The typical part this budget is taken from, and what the core has (FPU or not). */
  part?: string;
  /** True when the core has a single-precision FPU (float maths in hardware). */
  fpu?: boolean;
  /** The QEMU board (targets/c/firmware/boards.ts) a test firmware for this device runs on, if any. */
  board?: string;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Typical parts, from their datasheets:
 * - cortex-m4: STM32F407VG (1 MiB flash, 192 KiB SRAM = 128 KiB + 64 KiB CCM), FPv4-SP FPU.
 * - cortex-m0plus: ATSAMD21G18 (256 KiB flash, 32 KiB SRAM; the Arduino Zero part), no FPU:
 *   float maths is emulated in software, expect ~10-20x slower layers.
 * - cortex-m7: STM32F746NG (1 MiB flash, 320 KiB SRAM), FPv5 FPU.
 * - nrf52840: Nordic nRF52840, Cortex-M4F (1 MiB flash, 256 KiB SRAM).
 * - esp32: ESP32-WROOM-32 module (4 MiB SPI flash; of the 520 KiB on-chip SRAM about
 *   320 KiB is data RAM usable by an application), Xtensa LX6 with a single-precision FPU.
 * The QEMU boards (named as QEMU names them) budget what the firmware is linked for
 * there (targets/c/firmware/boards.ts: code memory less the test vectors' region, data
 * memory); cortex-m4, nrf52840 and cortex-m7 run their firmware on the board with their core.
 */
export const DEVICES: Record<string, DeviceSpec> = {
  'cortex-m4': { name: 'cortex-m4', flashBytes: 1 * MiB, sramBytes: 192 * KiB, part: 'STM32F407VG', fpu: true, board: 'mps2-an386' },
  'cortex-m0plus': { name: 'cortex-m0plus', flashBytes: 256 * KiB, sramBytes: 32 * KiB, part: 'ATSAMD21G18', fpu: false },
  'cortex-m7': { name: 'cortex-m7', flashBytes: 1 * MiB, sramBytes: 320 * KiB, part: 'STM32F746NG', fpu: true, board: 'mps2-an500' },
  nrf52840: { name: 'nrf52840', flashBytes: 1 * MiB, sramBytes: 256 * KiB, part: 'nRF52840 (Cortex-M4F)', fpu: true, board: 'mps2-an386' },
  esp32: { name: 'esp32', flashBytes: 4 * MiB, sramBytes: 320 * KiB, part: 'ESP32-WROOM-32', fpu: true },
  'mps2-an385': { name: 'mps2-an385', flashBytes: 3 * MiB, sramBytes: 4 * MiB, part: 'QEMU mps2-an385 (Cortex-M3)', fpu: false, board: 'mps2-an385' },
  'mps2-an386': { name: 'mps2-an386', flashBytes: 3 * MiB, sramBytes: 4 * MiB, part: 'QEMU mps2-an386 (Cortex-M4F)', fpu: true, board: 'mps2-an386' },
  'mps2-an500': { name: 'mps2-an500', flashBytes: 3 * MiB, sramBytes: 4 * MiB, part: 'QEMU mps2-an500 (Cortex-M7)', fpu: true, board: 'mps2-an500' },
  'mps2-an505': { name: 'mps2-an505', flashBytes: 4 * MiB, sramBytes: 2 * MiB, part: 'QEMU mps2-an505 (Cortex-M33)', fpu: true, board: 'mps2-an505' },
  'mps3-an547': { name: 'mps3-an547', flashBytes: 512 * KiB, sramBytes: 512 * KiB, part: 'QEMU mps3-an547 (Cortex-M55)', fpu: true, board: 'mps3-an547' },
};

/** A device by table name, or a custom spec checked for sane numbers. */
export function resolveDevice(device: string | DeviceSpec): DeviceSpec {
  if (typeof device === 'string') {
    const d = DEVICES[device];
    if (!d) throw new RampartError(`unknown device '${device}'`, { expected: `one of ${Object.keys(DEVICES).join(', ')}, or { name, flashBytes, sramBytes }` });
    return d;
  }
  const ok = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0;
  if (!device || typeof device.name !== 'string' || !ok(device.flashBytes) || !ok(device.sramBytes)) {
    throw new RampartError(`invalid device spec ${JSON.stringify(device)}`, { expected: '{ name: string, flashBytes: positive integer, sramBytes: positive integer }' });
  }
  return device;
}
