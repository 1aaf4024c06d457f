// The error function, for Erf (PyTorch's exact GELU is x/2 · (1 + erf(x/√2))). JS has no
// Math.erf. Two textbook expansions, each where it converges fast, give close to full
// float64 precision (checked against CPython's math.erf in test/conformance/ops.test.ts):
//   |x| < 2:  the Maclaurin series 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1));
//   |x| >= 2: 1 - erfc(x), erfc from its continued fraction
//             erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + ...)))).
// Past |x| = 6, erfc is below 2e-17 and erf is ±1 in float64.

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
/** Terms of the continued fraction: at x = 2 (its slowest point here) 60 are far past convergence. */
const CF_TERMS = 60;

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let r: number;
  if (a < 2) {
    let term = a, sum = a;
    const a2 = a * a;
    for (let n = 1; n < 100; n++) {
      term *= -a2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    r = TWO_OVER_SQRT_PI * sum;
  } else if (a < 6) {
    let f = a;
    for (let k = CF_TERMS; k >= 1; k--) f = a + k / 2 / f;
    r = 1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * f);
  } else r = 1;
  return x < 0 ? -r : r;
}
