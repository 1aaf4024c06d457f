// C helpers for elementwise and data-movement ops: activations, broadcasting binaries,
// BatchNormalization's affine, Softmax, strided copies (Transpose/Slice/Gather), Pad, Concat,
// and Where / ReduceMean / LayerNormalization (their code sizes: clang 14, cortex-m4
// -mfloat-abi=hard, -Os, llvm-nm on the helper alone as an extern function).
import type { Helper } from './types.ts';

export const elementwiseHelpers: Record<string, Helper> = {
  rp_sigmoid: {
    deps: [], code: 0,
    text: `static float rp_sigmoid(float v) { return 1.0f / (1.0f + expf(-v)); }`,
  },
  rp_relu: {
    deps: [], code: 28,
    text: `static void rp_relu(const float *x, float *y, int n) { int i; for (i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f; }`,
  },
  rp_leaky_relu: {
    deps: [], code: 36,
    text: `static void rp_leaky_relu(const float *x, float *y, int n, float alpha) {
  int i;
  for (i = 0; i < n; ++i) y[i] = x[i] >= 0.0f ? x[i] : alpha * x[i];
}`,
  },
  rp_sigmoid_v: {
    deps: ['rp_sigmoid'], code: 32,
    text: `static void rp_sigmoid_v(const float *x, float *y, int n) { int i; for (i = 0; i < n; ++i) y[i] = rp_sigmoid(x[i]); }`,
  },
  rp_tanh_v: {
    deps: [], code: 32,
    text: `static void rp_tanh_v(const float *x, float *y, int n) { int i; for (i = 0; i < n; ++i) y[i] = tanhf(x[i]); }`,
  },
  rp_clip_v: {
    deps: [], code: 40,
    text: `/* Clip (ReLU6, hardtanh): NaN passes through, as every comparison with it is false. */
static void rp_clip_v(const float *x, float *y, int n, float lo, float hi) {
  int i;
  for (i = 0; i < n; ++i) y[i] = x[i] < lo ? lo : (x[i] > hi ? hi : x[i]);
}`,
  },
  rp_hard_sigmoid: {
    deps: [], code: 52,
    text: `static void rp_hard_sigmoid(const float *x, float *y, int n, float alpha, float beta) {
  int i;
  for (i = 0; i < n; ++i) {
    float v = alpha * x[i] + beta;
    y[i] = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
  }
}`,
  },
  rp_hard_swish: {
    deps: [], code: 84,
    text: `/* HardSwish: x * clamp(x / 6 + 1/2, 0, 1). */
static void rp_hard_swish(const float *x, float *y, int n) {
  int i;
  for (i = 0; i < n; ++i) {
    float v = x[i] / 6.0f + 0.5f;
    y[i] = x[i] * (v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v));
  }
}`,
  },
  rp_erf_v: {
    deps: [], code: 42,
    text: `static void rp_erf_v(const float *x, float *y, int n) { int i; for (i = 0; i < n; ++i) y[i] = erff(x[i]); }`,
  },
  rp_where: {
    deps: [], code: 104,
    text: `/* Where with a constant condition, bit i of cond[i / 16]: y[i] = bit ? a[(i / adiv) % amod] : b[(i / bdiv) % bmod]. */
static void rp_where(const uint16_t *cond, const float *a, int adiv, int amod, const float *b, int bdiv, int bmod, float *y, int n) {
  int i;
  for (i = 0; i < n; ++i)
    y[i] = (cond[i >> 4] >> (i & 15)) & 1u ? a[(i / adiv) % amod] : b[(i / bdiv) % bmod];
}`,
  },
  rp_reduce_mean: {
    deps: [], code: 140,
    text: `/* Mean over the middle axis of [outer, len, inner] into [outer, inner]. */
static void rp_reduce_mean(const float *x, float *y, int outer, int len, int inner) {
  int o, j, k;
  for (o = 0; o < outer; ++o)
    for (k = 0; k < inner; ++k) {
      float s = 0.0f;
      for (j = 0; j < len; ++j) s += x[(o * len + j) * inner + k];
      y[o * inner + k] = s / (float)len;
    }
}`,
  },
  rp_layer_norm: {
    deps: [], code: 268,
    text: `/* LayerNormalization of outer rows of len values: (x - mean) / sqrt(var + eps) * scale + bias
   (bias may be null). Two passes over the row, then the write: safe in place. */
static void rp_layer_norm(const float *x, float *y, int outer, int len, const float *scale, const float *bias, float eps) {
  int o, i;
  for (o = 0; o < outer; ++o) {
    const float *r = x + o * len;
    float *w = y + o * len;
    float m = 0.0f, v = 0.0f, d;
    for (i = 0; i < len; ++i) m += r[i];
    m /= (float)len;
    for (i = 0; i < len; ++i) v += (r[i] - m) * (r[i] - m);
    d = 1.0f / sqrtf(v / (float)len + eps);
    for (i = 0; i < len; ++i) w[i] = (r[i] - m) * d * scale[i] + (bias ? bias[i] : 0.0f);
  }
}`,
  },
  rp_binary: {
    deps: [], code: 160,
    text: `enum { RP_ADD, RP_SUB, RP_RSUB, RP_MUL, RP_DIV, RP_RDIV };
/* y[i] = a[i] (op) b[(i / div) % mod]: b is broadcast over the axes it lacks. RSUB and RDIV
   swap the operands (b - a, b / a) so that a is always the full-size one. */
static void rp_binary(int op, const float *a, const float *b, float *y, int n, int div, int mod) {
  int i;
  for (i = 0; i < n; ++i) {
    float u = a[i], v = b[(i / div) % mod];
    switch (op) {
      case RP_ADD: y[i] = u + v; break;
      case RP_SUB: y[i] = u - v; break;
      case RP_RSUB: y[i] = v - u; break;
      case RP_MUL: y[i] = u * v; break;
      case RP_DIV: y[i] = u / v; break;
      default: y[i] = v / u; break;
    }
  }
}`,
  },
  rp_channel_affine: {
    deps: [], code: 60,
    text: `/* BatchNormalization folded to y = x * scale[c] + shift[c] over c planes of n cells. */
static void rp_channel_affine(const float *x, float *y, int c, int n, const float *scale, const float *shift) {
  int i, k;
  for (i = 0; i < c; ++i)
    for (k = 0; k < n; ++k) y[i * n + k] = x[i * n + k] * scale[i] + shift[i];
}`,
  },
  rp_softmax: {
    deps: [], code: 192,
    text: `/* (Log)Softmax over groups of len values stride apart (outer * stride groups). Safe in place. */
static void rp_softmax(const float *x, float *y, int outer, int len, int stride, int log_softmax) {
  int o, s, i;
  for (o = 0; o < outer; ++o)
    for (s = 0; s < stride; ++s) {
      const float *xg = x + o * len * stride + s;
      float *yg = y + o * len * stride + s;
      float m = xg[0], sum = 0.0f;
      for (i = 1; i < len; ++i) if (xg[i * stride] > m) m = xg[i * stride];
      for (i = 0; i < len; ++i) sum += expf(xg[i * stride] - m);
      for (i = 0; i < len; ++i)
        yg[i * stride] = log_softmax ? xg[i * stride] - m - logf(sum) : expf(xg[i * stride] - m) / sum;
    }
}`,
  },
  rp_strided_copy: {
    deps: [], code: 132,
    text: `/* y (row-major over dims) = x at sum_d coord[d] * strides[d]: Transpose, Slice, Gather. */
static void rp_strided_copy(const float *x, float *y, int rank, const int *dims, const int *strides) {
  int coord[8] = {0}, d;
  int32_t i, n = 1, off = 0;
  for (d = 0; d < rank; ++d) n *= dims[d];
  for (i = 0; i < n; ++i) {
    y[i] = x[off];
    for (d = rank - 1; d >= 0; --d) {
      off += strides[d];
      if (++coord[d] < dims[d]) break;
      off -= strides[d] * coord[d];
      coord[d] = 0;
    }
  }
}`,
  },
  rp_pad: {
    deps: [], code: 208,
    text: `/* Pad, constant mode: y[0..ny) = value, then x (row-major over dims) is written at
   y[base + sum_d coord[d] * strides[d]]. x and y do not overlap. */
static void rp_pad(const float *x, float *y, int32_t ny, float value, int32_t base, int rank, const int *dims, const int *strides) {
  int coord[8] = {0}, d;
  int32_t i, n = 1, off = base;
  for (i = 0; i < ny; ++i) y[i] = value;
  for (d = 0; d < rank; ++d) n *= dims[d];
  for (i = 0; i < n; ++i) {
    y[off] = x[i];
    for (d = rank - 1; d >= 0; --d) {
      off += strides[d];
      if (++coord[d] < dims[d]) break;
      off -= strides[d] * coord[d];
      coord[d] = 0;
    }
  }
}`,
  },
  rp_gather: {
    deps: [], code: 72,
    text: `/* Gather of nidx blocks of inner values along an axis of size n, for each of outer slices. */
static void rp_gather(const float *x, float *y, int outer, int n, int inner, const int32_t *idx, int nidx) {
  int o, j;
  for (o = 0; o < outer; ++o)
    for (j = 0; j < nidx; ++j, y += inner) memcpy(y, x + ((int32_t)o * n + idx[j]) * inner, (size_t)inner * sizeof(float));
}`,
  },
  rp_concat_part: {
    deps: [], code: 48,
    text: `/* One input of a Concat: outer blocks of part values into blocks total values apart. */
static void rp_concat_part(const float *x, float *y, int outer, int part, int total) {
  int o;
  for (o = 0; o < outer; ++o) memcpy(y + (int32_t)o * total, x + (int32_t)o * part, (size_t)part * sizeof(float));
}`,
  },
};
