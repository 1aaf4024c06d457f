// The C target on emulated microcontrollers: test firmware for the zoo LSTM and CNN
// (dense, pruned 90% = CSR, 8x1 blocks = block CSR) built with clang + ld.lld for QEMU's
// mps2-an386 (Cortex-M4F) and run in qemu-system-arm; the outputs the firmware prints
// over semihosting must match onnxruntime-node within 1e-5 (and the firmware's own check
// against the embedded expected outputs must pass). The other FPU boards run the pruned
// LSTM once each. Also checked: the SysTick calibration gives the board's clock under
// -icount, the flash estimate against the linked ELF, RAM and stack figures, and that
// pruning lowers flash and instruction counts. A missing toolchain fails, never skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOARDS, Firmware, type FirmwareRun } from '../../targets/c/firmware/index.ts';
import { flat, maxDiff, targetCase, type TargetCase, type Variant } from './cases.ts';

const TOL = 1e-5;
const runs = new Map<string, { c: TargetCase; r: FirmwareRun; estimate: number; arena: number }>();

async function build(zoo: string, v: Variant, device: string): Promise<{ c: TargetCase; r: FirmwareRun; estimate: number; arena: number }> {
  const c = await targetCase(zoo, v, 2, 3);
  const fw = new Firmware(c.model, { device, file: `${zoo}.onnx` });
  try {
    const r = fw.run(c.samples.map(flat), c.want, TOL);
    const b = fw.c.budget;
    return { c, r, estimate: b.flash.totalBytes, arena: b.sram.arenaBytes };
  } finally {
    fw.close();
  }
}

for (const zoo of ['lstm', 'cnn']) {
  for (const v of ['dense', 'pruned90', '8x1'] as Variant[]) {
    test(`${zoo}/${v} on mps2-an386 (Cortex-M4F): the firmware's outputs match onnxruntime within ${TOL}`, { timeout: 120_000 }, async (t) => {
      const x = await build(zoo, v, 'cortex-m4');
      runs.set(`${zoo}/${v}`, x);
      const { c, r } = x;
      const worst = Math.max(...r.outputs.map((y, i) => maxDiff(y, c.want[i])));
      t.diagnostic(`max |fw - ort| = ${worst.toExponential(2)}; flash ${r.flashBytes} B (estimate ${x.estimate}), RAM ${r.ramBytes} B (data ${r.dataBytes} + bss ${r.bssBytes} + stack ${r.stackBytes}), ${r.instructions.join(' / ')} instructions per inference`);
      assert.ok(worst <= TOL, `max |fw - ort| = ${worst}`);
      assert.deepEqual(r.status, [0, 0]);
      assert.equal(r.failures, 0, 'the firmware\'s own check against the embedded expected outputs');
      assert.ok(r.checks.every((d) => d <= TOL));
      // RAM: the model's static arena is in .bss (the stream state is not: the harness does not
      // call rampart_stream_step, so --gc-sections drops it); the stack stayed in its region.
      assert.ok(r.bssBytes >= x.arena, `bss ${r.bssBytes} holds the arena (${x.arena})`);
      assert.ok(r.stackBytes > 0 && r.stackBytes < 4096, `stack ${r.stackBytes}`);
      assert.equal(r.ramBytes, r.dataBytes + r.bssBytes + r.stackBytes);
      // The estimate (clang -Os object + newlib-sized libm) against the linked firmware (freestanding libm and the harness).
      assert.ok(Math.abs(x.estimate / r.flashBytes - 1) <= 0.1, `flash estimate ${x.estimate} vs ELF ${r.flashBytes}`);
      // -icount shift=0: an instruction is 1 ns, SysTick counts SYSCLK (25 MHz): 40 instructions a tick.
      assert.ok(Math.abs(r.calibration.instructions / r.calibration.ticks - 1e9 / BOARDS['mps2-an386'].sysclkHz) < 0.01, `${r.calibration.instructions} / ${r.calibration.ticks}`);
      // Same work for both samples, up to the data-dependent branches of expf / tanhf.
      assert.ok(Math.abs(r.instructions[0] / r.instructions[1] - 1) < 0.01, r.instructions.join(' vs '));
    });
  }
}

test('pruning lowers flash and instructions per inference on the Cortex-M4', () => {
  for (const zoo of ['lstm', 'cnn']) {
    const dense = runs.get(`${zoo}/dense`)!.r, csr = runs.get(`${zoo}/pruned90`)!.r, bsr = runs.get(`${zoo}/8x1`)!.r;
    assert.ok(csr.flashBytes < 0.35 * dense.flashBytes, `${zoo}: CSR flash ${csr.flashBytes} vs dense ${dense.flashBytes}`);
    assert.ok(bsr.flashBytes < 0.5 * dense.flashBytes, `${zoo}: 8x1 flash ${bsr.flashBytes} vs dense ${dense.flashBytes}`);
    assert.ok(csr.instructions[0] < dense.instructions[0], `${zoo}: CSR ${csr.instructions[0]} vs dense ${dense.instructions[0]} instructions`);
    assert.ok(bsr.instructions[0] < dense.instructions[0], `${zoo}: 8x1 ${bsr.instructions[0]} vs dense ${dense.instructions[0]} instructions`);
  }
});

for (const board of ['mps2-an500', 'mps2-an505', 'mps3-an547']) {
  test(`lstm/pruned90 on ${board} (${BOARDS[board].cpu}): outputs match onnxruntime, SysTick counts its clock`, { timeout: 120_000 }, async () => {
    const { c, r } = await build('lstm', 'pruned90', board);
    assert.ok(Math.max(...r.outputs.map((y, i) => maxDiff(y, c.want[i]))) <= TOL);
    assert.equal(r.failures, 0);
    assert.ok(Math.abs(r.calibration.instructions / r.calibration.ticks - 1e9 / BOARDS[board].sysclkHz) < 0.01);
  });
}

test('the Cortex-M3 board is refused at build time naming the missing soft-float runtime', async () => {
  const c = await targetCase('lstm', 'pruned90', 1, 3);
  assert.throws(() => new Firmware(c.model, { device: 'mps2-an385' }), (e: Error) => e.name === 'RampartError' && /mps2-an385 \(cortex-m3\) has no FPU/.test(e.message) && /mps2-an386/.test(e.message));
  assert.throws(() => new Firmware(c.model, { device: 'esp32' }), /device 'esp32' has no emulated board \(expected one of .*cortex-m4/);
});
