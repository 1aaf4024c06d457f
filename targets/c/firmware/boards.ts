// The Arm boards QEMU (Debian's qemu-system-arm 7.2) models, each with the core, the
// FPU flags for that core, and the memory map a firmware is linked for: code and
// constants in the board's code memory, variables and the stack in its data memory,
// and the test vectors (inputs, expected outputs) in a region of their own so that
// they never count as the model's flash. The TrustZone boards (AN505, AN547) boot in
// the secure state from the secure aliases (address bit 28 set).
export interface Board {
  /** QEMU's machine name (`-M`). */
  machine: string;
  cpu: string;
  /** clang flags for the core's float unit; null: no FPU (float code needs a soft-float runtime). */
  fpu: string[] | null;
  flash: { origin: number; length: number };
  ram: { origin: number; length: number };
  /** Where the test vectors go (read-only, loaded by QEMU with the ELF). */
  testdata: { origin: number; length: number };
  /** SYSCLK in Hz: SysTick counts it (CLKSOURCE = processor clock); under -icount shift=0 one instruction is 1 ns. */
  sysclkHz: number;
  description: string;
}

const KiB = 1024, MiB = 1024 * KiB;

/** The mps2 images without TrustZone: 4 MiB ZBT SSRAM1 at 0 (code), 4 MiB SSRAM2/3 at 0x20000000 (data). */
const mps2 = (machine: string, cpu: string, fpu: string[] | null, description: string): Board => ({
  machine, cpu, fpu, description, sysclkHz: 25_000_000,
  flash: { origin: 0x00000000, length: 4 * MiB - 1 * MiB }, testdata: { origin: 0x00300000, length: 1 * MiB },
  ram: { origin: 0x20000000, length: 4 * MiB },
});

export const BOARDS: Record<string, Board> = {
  'mps2-an385': mps2('mps2-an385', 'cortex-m3', null, 'MPS2 AN385, Cortex-M3 (no FPU)'),
  'mps2-an386': mps2('mps2-an386', 'cortex-m4', ['-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'], 'MPS2 AN386, Cortex-M4F (FPv4-SP)'),
  'mps2-an500': mps2('mps2-an500', 'cortex-m7', ['-mfloat-abi=hard', '-mfpu=fpv5-d16'], 'MPS2 AN500, Cortex-M7 (FPv5)'),
  // SSRAM1 (4 MiB) at 0x10000000, SSRAM2 (2 MiB) at 0x38000000, SSRAM3 (2 MiB) at 0x38200000: secure aliases.
  'mps2-an505': {
    machine: 'mps2-an505', cpu: 'cortex-m33', fpu: ['-mfloat-abi=hard', '-mfpu=fpv5-sp-d16'], description: 'MPS2 AN505, Cortex-M33 (FPv5-SP)', sysclkHz: 20_000_000,
    flash: { origin: 0x10000000, length: 4 * MiB }, ram: { origin: 0x38000000, length: 2 * MiB }, testdata: { origin: 0x38200000, length: 2 * MiB },
  },
  // ITCM (512 KiB) at 0x10000000, SRAM (2 MiB) at 0x11000000, DTCM (512 KiB) at 0x30000000: secure aliases.
  'mps3-an547': {
    machine: 'mps3-an547', cpu: 'cortex-m55', fpu: ['-mfloat-abi=hard'], description: 'MPS3 AN547, Cortex-M55 (FPv5 + MVE)', sysclkHz: 32_000_000,
    flash: { origin: 0x10000000, length: 512 * KiB }, ram: { origin: 0x30000000, length: 512 * KiB }, testdata: { origin: 0x11000000, length: 2 * MiB },
  },
};
