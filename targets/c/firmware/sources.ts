// The C and linker-script text of a test firmware, besides the model's own file: the
// startup (vector table; reset: FPU on before any float code, .data copied, .bss
// zeroed, stack painted; semihosting calls), the harness main (SysTick calibrated
// against a loop of known length, each sample run between two readings, outputs printed
// as the hex of their float32 bits, the stack's high-water mark), the test vectors, and
// the board's linker script. Everything is printed over semihosting (SYS_WRITE0) and the
// firmware ends with SYS_EXIT: QEMU exits 0 when every check passed, 1 otherwise.
import { cFloat } from '../module.ts';
import type { Board } from './boards.ts';

/** Words of the stack region painted at reset; what is still painted after the run was never used. */
export const STACK_BYTES = 64 * 1024;
/** Iterations of the two-instruction calibration loop (subs; bne). */
export const CALIBRATION_LOOPS = 1 << 20;

export const STARTUP = `/* Test firmware startup (targets/c/firmware/sources.ts). Generated. */
#include <stdint.h>

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[], __stack_top[], __stack_limit[];
int main(void);

int rp_semihost(int op, const void *arg) {
  register int r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void rp_puts(const char *s) { rp_semihost(0x04, s); } /* SYS_WRITE0 */

/* SYS_EXIT: ADP_Stopped_ApplicationExit is exit status 0 in QEMU, any other reason 1. */
__attribute__((noreturn)) void rp_exit(int ok) {
  rp_semihost(0x18, (const void *)(uintptr_t)(ok ? 0x20026u : 0x20023u));
  for (;;) {}
}

volatile uint32_t rp_systick_wraps;
void rp_systick(void) { rp_systick_wraps++; }

/* HardFault, MemManage, BusFault, UsageFault: name it and the fault status (CFSR), then fail. */
void rp_fault(void) {
  static const char hex[] = "0123456789abcdef";
  char msg[] = "fault cfsr=00000000\\n";
  uint32_t cfsr = *(volatile uint32_t *)0xE000ED28u;
  int i;
  for (i = 0; i < 8; ++i) msg[11 + i] = hex[(cfsr >> (28 - 4 * i)) & 15u];
  rp_puts(msg);
  rp_exit(0);
}

__attribute__((noreturn)) void rp_reset(void) {
  uint32_t *s, *d, sp;
  /* CPACR: full access to CP10 and CP11 (the FPU), before any float instruction runs. */
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
  __asm__ volatile("dsb\\n\\tisb" ::: "memory");
  for (s = __data_load, d = __data_start; d < __data_end;) *d++ = *s++;
  for (d = __bss_start; d < __bss_end;) *d++ = 0;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  for (d = __stack_limit; (uint32_t)(uintptr_t)d < sp - 64u;) *d++ = 0xA5A5A5A5u;
  rp_exit(main() == 0);
}

__attribute__((section(".vectors"), used)) static void (*const rp_vectors[16])(void) = {
  (void (*)(void))(uintptr_t)__stack_top, rp_reset, rp_fault, rp_fault, rp_fault, rp_fault, rp_fault,
  0, 0, 0, 0, rp_fault, rp_fault, 0, rp_fault, rp_systick,
};
`;

export interface HarnessArgs {
  prefix: string;
  samples: number;
  inFloats: number;
  outFloats: number;
  /** Checked against the embedded expected outputs within this absolute tolerance; null: outputs only. */
  tolerance: number | null;
  title: string;
}

export function harnessSource(a: HarnessArgs): string {
  return `/* Test firmware main (targets/c/firmware/sources.ts). Generated.
 * ${a.title.replace(/\*\//g, '* /')}
 * Prints, over semihosting:
 *   calib <loop instructions> <ticks hi> <ticks lo>   SysTick ticks for a loop of known length
 *   y <sample> <offset> <float32 bits in hex>...     outputs, up to 8 a line
 *   run <sample> <status> <ticks hi> <ticks lo>      SysTick ticks for rampart_run
 *   check <sample> <max |y - expected| as float32 bits>  (when expected outputs are embedded)
 *   stack <bytes of stack used at most>
 *   done <failures>
 */
#include <stdint.h>

int ${a.prefix}_run(const float *input, float *output);
void rp_puts(const char *s);
extern uint32_t __stack_top[], __stack_limit[];
extern volatile uint32_t rp_systick_wraps;
extern const float rp_test_inputs[];
extern const float rp_test_expected[];

#define RP_SAMPLES ${a.samples}
#define RP_IN ${a.inFloats}
#define RP_OUT ${a.outFloats}
#define RP_CHECK ${a.tolerance === null ? 0 : 1}

static float rp_y[RP_OUT];
static char rp_line[128];
static int rp_len;

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)

/* Ticks since start: wraps of the 24-bit down-counter, counted by its interrupt, plus its
   position; a wrap the interrupt has not counted yet is seen as PENDSTSET and added. */
static uint64_t rp_ticks(void) {
  uint32_t w, v;
  __asm__ volatile("cpsid i" ::: "memory");
  w = rp_systick_wraps;
  v = SYST_CVR;
  if (SCB_ICSR & (1u << 26)) { v = SYST_CVR; w++; }
  __asm__ volatile("cpsie i" ::: "memory");
  return ((uint64_t)w << 24) + (0xFFFFFFu - v);
}

static void rp_spin(uint32_t n) { __asm__ volatile("1: subs %0, %0, #1\\n\\tbne 1b" : "+r"(n) :: "cc"); }

static void rp_put(const char *s) { while (*s && rp_len < (int)sizeof rp_line - 2) rp_line[rp_len++] = *s++; }
static void rp_hex(uint32_t v) {
  static const char hex[] = "0123456789abcdef";
  int i;
  if (rp_len > (int)sizeof rp_line - 12) return;
  rp_line[rp_len++] = ' ';
  for (i = 0; i < 8; ++i) rp_line[rp_len++] = hex[(v >> (28 - 4 * i)) & 15u];
}
static void rp_endl(void) { rp_line[rp_len++] = '\\n'; rp_line[rp_len] = 0; rp_puts(rp_line); rp_len = 0; }
static uint32_t rp_bits(float f) { union { float f; uint32_t u; } v; v.f = f; return v.u; }

int main(void) {
  uint64_t t0, t1;
  uint32_t *p;
  int s, i, rc, failures = 0;
  SYST_RVR = 0xFFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 7u; /* processor clock, interrupt, enable */
  while (SYST_CVR == 0) {} /* the first reload from the cleared counter: before it, 0 reads as "just wrapped" */
  t0 = rp_ticks();
  rp_spin(${CALIBRATION_LOOPS}u);
  t1 = rp_ticks();
  rp_put("calib"); rp_hex(${2 * CALIBRATION_LOOPS}u); rp_hex((uint32_t)((t1 - t0) >> 32)); rp_hex((uint32_t)(t1 - t0)); rp_endl();
  for (s = 0; s < RP_SAMPLES; ++s) {
    t0 = rp_ticks();
    rc = ${a.prefix}_run(rp_test_inputs + (int32_t)s * RP_IN, rp_y);
    t1 = rp_ticks();
    for (i = 0; i < RP_OUT; ++i) {
      if (i % 8 == 0) { rp_put("y"); rp_hex((uint32_t)s); rp_hex((uint32_t)i); }
      rp_hex(rp_bits(rp_y[i]));
      if (i % 8 == 7 || i == RP_OUT - 1) rp_endl();
    }
    rp_put("run"); rp_hex((uint32_t)s); rp_hex((uint32_t)rc); rp_hex((uint32_t)((t1 - t0) >> 32)); rp_hex((uint32_t)(t1 - t0)); rp_endl();
    if (rc != 0) failures++;
#if RP_CHECK
    float worst = 0.0f;
    for (i = 0; i < RP_OUT; ++i) {
      float d = rp_y[i] - rp_test_expected[(int32_t)s * RP_OUT + i];
      if (d < 0.0f) d = -d;
      if (!(d <= worst)) worst = d; /* NaN wins */
    }
    rp_put("check"); rp_hex((uint32_t)s); rp_hex(rp_bits(worst)); rp_endl();
    if (!(worst <= ${a.tolerance === null ? '0.0f' : cFloat(a.tolerance)})) failures++;
#endif
  }
  for (p = __stack_limit; p < __stack_top && *p == 0xA5A5A5A5u; ++p) {}
  rp_put("stack"); rp_hex((uint32_t)((uintptr_t)__stack_top - (uintptr_t)p)); rp_endl();
  rp_put("done"); rp_hex((uint32_t)failures); rp_endl();
  return failures;
}
`;
}

/** The test vectors, in their own section (.rp_testdata) so that they are not the model's flash. */
export function vectorsSource(inputs: Float32Array, expected: Float32Array | null): string {
  const arr = (name: string, v: Float32Array) => {
    const items: string[] = [];
    for (let i = 0; i < v.length; i += 8) items.push('  ' + Array.from(v.subarray(i, i + 8), (x) => cFloat(x)).join(', ') + ',');
    return `__attribute__((section(".rp_testdata"))) const float ${name}[${Math.max(1, v.length)}] = {\n${items.join('\n') || '  0.0f,'}\n};`;
  };
  return `/* Test vectors (targets/c/firmware/sources.ts). Generated. */\n${arr('rp_test_inputs', inputs)}\n${arr('rp_test_expected', expected ?? new Float32Array(0))}\n`;
}

const hex = (n: number) => '0x' + n.toString(16).padStart(8, '0');

export function linkerScript(board: Board): string {
  return `/* ${board.description}: linker script of a Rampart test firmware (targets/c/firmware/sources.ts). Generated. */
ENTRY(rp_reset)
MEMORY {
  FLASH (rx) : ORIGIN = ${hex(board.flash.origin)}, LENGTH = ${board.flash.length}
  RAM (rwx) : ORIGIN = ${hex(board.ram.origin)}, LENGTH = ${board.ram.length}
  TESTDATA (r) : ORIGIN = ${hex(board.testdata.origin)}, LENGTH = ${board.testdata.length}
}
SECTIONS {
  .text : { KEEP(*(.vectors)) *(.text*) *(.rodata*) . = ALIGN(4); } > FLASH
  .ARM.exidx : { *(.ARM.exidx*) } > FLASH
  .rp_testdata : { *(.rp_testdata) } > TESTDATA
  .data : { __data_start = .; *(.data*) . = ALIGN(4); __data_end = .; } > RAM AT > FLASH
  __data_load = LOADADDR(.data);
  .bss (NOLOAD) : { __bss_start = .; *(.bss*) *(COMMON) . = ALIGN(4); __bss_end = .; } > RAM
  __stack_top = ORIGIN(RAM) + LENGTH(RAM);
  __stack_limit = __stack_top - ${STACK_BYTES};
  ASSERT(__bss_end <= __stack_limit, "the model's RAM overlaps the stack region")
}
`;
}
