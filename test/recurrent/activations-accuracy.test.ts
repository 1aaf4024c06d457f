// The WASM cells' sigmoid and tanh (runtime/wasm/assembly/math.ts: range-reduced exp
// with a polynomial, a rational tanh) against float64 Math.exp / Math.tanh, the
// closed forms, over the whole float32 range: a dense grid of bit patterns (every
// exponent, both signs), every float32 of the ranges where the approximations change
// regime, and the extremes. Contract: relative error below 1e-6 wherever the true
// value is a normal float, within FLT_MIN of it below that, exact limits, NaN stays NaN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Activation } from '../../runtime/kernels/enums.ts';
import { WasmLinalg } from '../../runtime/kernels/wasm-linalg.ts';

const la = await WasmLinalg.create();
const FLT_MIN = 1.1754943508222875e-38;
const N = 1 << 20;
const [buf] = la.scratch([N]);
const bits = new Uint32Array(buf.buffer, buf.byteOffset, N);

const TRUTH = {
  Sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
  Tanh: Math.tanh,
} as const;
type Fn = keyof typeof TRUTH;

/** The kernel on float32s given as bit patterns, with no clip. */
function apply(fn: Fn, pattern: (i: number) => number, n: number): { x: Float32Array; y: Float32Array } {
  for (let i = 0; i < n; i++) bits[i] = pattern(i);
  const x = buf.slice(0, n);
  assert.equal(la.k.applyActivation(Activation[fn], 0, 0, 0, buf.byteOffset, n), 0);
  return { x, y: buf.slice(0, n) };
}

interface Worst { rel: number; at: number; checked: number }

function check(fn: Fn, x: Float32Array, y: Float32Array, worst: Worst): void {
  const lo = fn === 'Sigmoid' ? 0 : -1;
  for (let i = 0; i < x.length; i++) {
    const v = x[i], got = y[i];
    if (Number.isNaN(v)) {
      assert.ok(Number.isNaN(got), `${fn}(NaN) = ${got}`);
      continue;
    }
    assert.ok(got >= lo && got <= 1, `${fn}(${v}) = ${got} is outside [${lo}, 1]`);
    const want = TRUTH[fn](v);
    worst.checked++;
    if (Math.abs(want) < FLT_MIN) {
      assert.ok(Math.abs(got - want) <= FLT_MIN, `${fn}(${v}) = ${got}, want ${want}`);
      continue;
    }
    const rel = Math.abs(got - want) / Math.abs(want);
    if (rel > worst.rel) Object.assign(worst, { rel, at: v });
  }
}

const f32Bits = (v: number) => new Uint32Array(new Float32Array([v]).buffer)[0];

/** Every float32 in [a, b] (same sign, a <= b in magnitude). */
function every(a: number, b: number): [number, number] {
  return [f32Bits(a), f32Bits(b)];
}

for (const fn of ['Sigmoid', 'Tanh'] as const) {
  test(`${fn}: relative error below 1e-6 over the float32 range`, (t) => {
    const worst: Worst = { rel: 0, at: 0, checked: 0 };
    // A grid of bit patterns: 4093 apart covers every exponent of both signs, NaNs and infinities.
    const stride = 4093, total = Math.floor(2 ** 32 / stride);
    for (let start = 0; start < total; start += N) {
      const n = Math.min(N, total - start);
      const { x, y } = apply(fn, (i) => (start + i) * stride, n);
      check(fn, x, y, worst);
    }
    // Every float32 where the approximation changes regime: tanh near its clamp (the
    // rational's rounding nears 1), sigmoid where e^-x leaves the normal floats, both near 0.
    const ranges: [number, number][] = fn === 'Tanh'
      ? [every(8.4, 9.2), every(-8.4, -9.2), every(1e-6, 1.2e-6), every(0.999, 1.001)]
      : [every(-86, -89.5), every(29, 31), every(-16, -17), every(1e-6, 1.2e-6)];
    for (const [a, b] of ranges) {
      for (let s = a; s <= b; s += N) {
        const n = Math.min(N, b - s + 1);
        const { x, y } = apply(fn, (i) => s + i, n);
        check(fn, x, y, worst);
      }
    }
    t.diagnostic(`${worst.checked} inputs, largest relative error ${worst.rel.toExponential(2)} at ${worst.at}`);
    assert.ok(worst.rel < 1e-6, `${fn}: relative error ${worst.rel} at ${worst.at}`);
  });
}

test('limits, signed zero and NaN', () => {
  const inputs = [0, -0, Infinity, -Infinity, NaN, 1e30, -1e30, 200, -200, 88.8, -88.8, 9.05, -9.05, 20, -20];
  const run = (fn: Fn) => {
    buf.set(inputs);
    assert.equal(la.k.applyActivation(Activation[fn], 0, 0, 0, buf.byteOffset, inputs.length), 0);
    return Array.from(buf.subarray(0, inputs.length));
  };
  const s = run('Sigmoid');
  assert.deepEqual(s.slice(0, 4), [0.5, 0.5, 1, 0]);
  assert.ok(Number.isNaN(s[4]));
  assert.deepEqual(s.slice(5, 9), [1, 0, 1, 0]);
  assert.ok(s[10] >= 0 && s[10] < FLT_MIN, `sigmoid(-88.8) = ${s[10]}`);
  const th = run('Tanh');
  assert.ok(Object.is(th[0], 0) && Object.is(th[1], -0), `tanh(+-0) = ${th[0]}, ${th[1]}`);
  assert.deepEqual(th.slice(2, 4), [1, -1]);
  assert.ok(Number.isNaN(th[4]));
  assert.deepEqual(th.slice(5, 15), [1, -1, 1, -1, 1, -1, 1, -1, 1, -1]);
});

test('a vector loop tail gets the same result as a vector lane; clip bounds the input', () => {
  const xs = [-3.7, 0.2, 5.5, -0.01, 12, -87.9, 2.25];
  for (const fn of ['Sigmoid', 'Tanh'] as const) {
    // Seven inputs: four in the vector body, three in the scalar tail; then all in vector lanes.
    buf.set(xs);
    la.k.applyActivation(Activation[fn], 0, 0, 0, buf.byteOffset, 7);
    const tail = Array.from(buf.subarray(0, 7));
    buf.set([...xs.slice(4), 0, ...xs.slice(0, 4)]);
    la.k.applyActivation(Activation[fn], 0, 0, 0, buf.byteOffset, 8);
    const lanes = Array.from(buf.subarray(0, 8));
    assert.deepEqual(tail, [...lanes.slice(4), ...lanes.slice(0, 3)], fn);
    // clip 1: f(clamp(x, -1, 1)).
    buf.set(xs);
    la.k.applyActivation(Activation[fn], 0, 0, 1, buf.byteOffset, 7);
    const clipped = Array.from(buf.subarray(0, 7));
    xs.forEach((x, i) => {
      const want = TRUTH[fn](Math.max(-1, Math.min(1, x)));
      assert.ok(Math.abs(clipped[i] - want) <= 1e-6 * Math.abs(want), `${fn} clip 1 at ${x}: ${clipped[i]} vs ${want}`);
    });
  }
});
