// What a generated C file needs from a C library, for the builds that have none: the
// WebAssembly module (targets/wasm) and the Cortex-M firmware built with clang + lld
// (targets/c/firmware). The generated files include <math.h>, <stdint.h> and
// <string.h>; clang ships stdint.h, so only the other two are stood in for (headers
// that declare what the helpers call) and defined in one C file: expf, tanhf, logf,
// erff, sqrtf, memcpy, memset (and, on Arm, the run-time ABI's __aeabi_mem* names). Hosted builds (the `c` runtime, gcc + newlib firmware)
// use the system's libm instead.
//
// Accuracy, measured against glibc's double-precision functions on every 97th float32
// bit pattern: expf 1.2 ulp, tanhf 3.3 ulp (9e-8 absolute), logf 2.9 ulp; erff (Abramowitz
// and Stegun 7.1.26) 7e-7 absolute. The targets are checked against onnxruntime at 1e-5
// absolute, which these leave two orders of magnitude of room under.

/**
 * Flags every freestanding build needs: no C library, and no errno for maths, without
 * which clang turns __builtin_sqrtf back into a call to sqrtf (this file's own).
 */
export const FREESTANDING_FLAGS = ['-ffreestanding', '-fno-math-errno', '-nostdlib'];

/** The stand-in headers, by file name (put their folder first on the include path: -isystem). */
export const FREESTANDING_HEADERS: Record<string, string> = {
  'math.h': `/* Rampart freestanding math.h: what the generated helpers call (defined in rp_libm.c). */
#ifndef RP_MATH_H
#define RP_MATH_H
float expf(float);
float tanhf(float);
float logf(float);
float erff(float);
float sqrtf(float);
#define INFINITY (__builtin_inff())
#endif
`,
  'string.h': `/* Rampart freestanding string.h (defined in rp_libm.c). */
#ifndef RP_STRING_H
#define RP_STRING_H
typedef __SIZE_TYPE__ size_t;
#define NULL ((void *)0)
void *memcpy(void *, const void *, size_t);
void *memset(void *, int, size_t);
#endif
`,
};

/** The definitions. Compile without -ffast-math-style flags: the range reductions rely on the evaluation order. */
export const FREESTANDING_LIBM = `/* Rampart freestanding float maths and memory helpers (targets/c/freestanding.ts). Generated. */
#include <stdint.h>
#include <math.h>
#include <string.h>

static float rp_bits_f(uint32_t u) { union { uint32_t u; float f; } v; v.u = u; return v.f; }
static uint32_t rp_f_bits(float f) { union { uint32_t u; float f; } v; v.f = f; return v.u; }

/* e^r - 1 for |r| <= ln2/2 (+ rounding): Taylor to r^8, truncation below 2^-26 relative. */
static float rp_expm1_poly(float r) {
  return r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 + r * (1.0f / 720 +
         r * (1.0f / 5040 + r * (1.0f / 40320))))))));
}

/* x = k ln2 + r with |r| <= ln2/2; ln2 in two parts so that k * ln2_hi is exact. */
static int rp_exp_reduce(float x, float *r) {
  float t = x * 1.44269504f;
  int k = (int)(t + (t >= 0.0f ? 0.5f : -0.5f));
  *r = (x - (float)k * 0.693145751953125f) - (float)k * 1.428606765330187e-06f;
  return k;
}

/* m * 2^k for the k the callers reach (-150 .. 128): at most two scalings, subnormals included. */
static float rp_ldexp(float m, int k) {
  if (k > 127) { m *= 2.0f; k -= 1; }
  if (k < -126) { m *= rp_bits_f((uint32_t)(127 - 64) << 23); k += 64; }
  return m * rp_bits_f((uint32_t)(k + 127) << 23);
}

float expf(float x) {
  float r;
  int k;
  if (x != x) return x;
  if (x > 88.72283935546875f) return INFINITY;
  if (x < -103.972084f) return 0.0f;
  k = rp_exp_reduce(x, &r);
  return rp_ldexp(1.0f + rp_expm1_poly(r), k);
}

/* tanh(a) = q / (q + 2) with q = e^(2a) - 1: no cancellation near 0. */
float tanhf(float x) {
  float a = x < 0.0f ? -x : x, q, r, t;
  int k;
  if (x != x) return x;
  if (a > 9.01f) t = 1.0f;
  else {
    k = rp_exp_reduce(2.0f * a, &r);
    q = rp_expm1_poly(r);
    if (k != 0) q = rp_ldexp(1.0f + q, k) - 1.0f;
    t = q / (q + 2.0f);
  }
  return x < 0.0f ? -t : t;
}

/* log x = e ln2 + 2 atanh(s), s = (m - 1) / (m + 1), m in [sqrt(1/2), sqrt(2)): |s| <= 0.172. */
float logf(float x) {
  uint32_t u = rp_f_bits(x);
  int e = 0;
  float m, f, s, s2;
  if (x != x || x == INFINITY) return x;
  if (x == 0.0f) return -INFINITY;
  if (x < 0.0f) return rp_bits_f(0x7fc00000u);
  if (u < 0x00800000u) { x *= 16777216.0f; u = rp_f_bits(x); e = -24; }
  e += (int)(u >> 23) - 127;
  m = rp_bits_f((u & 0x007fffffu) | 0x3f800000u);
  if (m > 1.41421356f) { m *= 0.5f; e += 1; }
  f = m - 1.0f;
  s = f / (2.0f + f);
  s2 = s * s;
  return (float)e * 0.693145751953125f + ((float)e * 1.428606765330187e-06f +
         2.0f * s * (1.0f + s2 * (1.0f / 3 + s2 * (1.0f / 5 + s2 * (1.0f / 7 + s2 * (1.0f / 9))))));
}

/* Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7 in exact arithmetic). */
float erff(float x) {
  float a = x < 0.0f ? -x : x, t, y;
  if (x != x) return x;
  t = 1.0f / (1.0f + 0.3275911f * a);
  y = 1.0f - t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f)))) * expf(-a * a);
  return x < 0.0f ? -y : y;
}

/* One instruction where the core has it (f32.sqrt, vsqrt.f32). */
float sqrtf(float x) { return __builtin_sqrtf(x); }

void *memcpy(void *dst, const void *src, size_t n) {
  unsigned char *d = (unsigned char *)dst;
  const unsigned char *s = (const unsigned char *)src;
  while (n--) *d++ = *s++;
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  unsigned char *d = (unsigned char *)dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

#if defined(__ARM_EABI__)
/* The Arm run-time ABI's names for the same, which clang calls for array initialisers
   and copies even when freestanding (note __aeabi_memset's argument order). */
void __aeabi_memcpy(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memcpy4(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memcpy8(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memset(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memset4(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memset8(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memclr(void *d, size_t n) { memset(d, 0, n); }
void __aeabi_memclr4(void *d, size_t n) { memset(d, 0, n); }
void __aeabi_memclr8(void *d, size_t n) { memset(d, 0, n); }
#endif
`;
