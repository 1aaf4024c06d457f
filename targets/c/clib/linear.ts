// C helpers for the matrix layers: dense and CSR mat-vecs, Gemm/MatMul, 2-D conv and pools.
import { C_INDEX_TYPE, type Helper, type IndexType } from './types.ts';

function csrMv(ci: IndexType, rp: IndexType): Helper {
  return {
    deps: [],
    code: 140,
    text: `/* y[r - r0] += M[r, :] . x for rows r0..r1-1 of a CSR matrix (${C_INDEX_TYPE[rp]} row pointers, ${C_INDEX_TYPE[ci]} columns). */
static void rp_csr_mv_${ci}_${rp}(const ${C_INDEX_TYPE[rp]} *rowptr, const ${C_INDEX_TYPE[ci]} *col, const float *val,
                           int r0, int r1, const float *x, float *y) {
  int r;
  for (r = r0; r < r1; ++r) {
    int32_t k, end = (int32_t)rowptr[r + 1];
    float acc = 0.0f;
    for (k = (int32_t)rowptr[r]; k < end; ++k) acc += val[k] * x[col[k]];
    y[r - r0] += acc;
  }
}`,
  };
}

function convCsr(ci: IndexType, rp: IndexType): Helper {
  return {
    deps: ['rp_conv2d_tap'],
    code: 150,
    text: `/* 2-D convolution with a CSR weight [cout, cin*kh*kw]: only the stored taps are visited. */
static void rp_conv2d_csr_${ci}_${rp}(const rp_conv2d *g, const ${C_INDEX_TYPE[rp]} *rowptr, const ${C_INDEX_TYPE[ci]} *col,
                               const float *val, const float *x, float *y) {
  int o;
  rp_conv2d_init(g, y);
  for (o = 0; o < g->cout; ++o) {
    int32_t k, end = (int32_t)rowptr[o + 1];
    for (k = (int32_t)rowptr[o]; k < end; ++k) rp_conv2d_tap(g, (int)col[k], val[k], x, y + o * g->oh * g->ow);
  }
}`,
  };
}

export const linearHelpers: Record<string, Helper> = {
  rp_mv_fn: {
    deps: [], code: 0,
    text: `/* A weight matrix as a function: y[r - r0] += M[r, :] . x for rows r0..r1-1 (dense or CSR inside). */
typedef void (*rp_mv_fn)(int r0, int r1, const float *x, float *y);`,
  },
  rp_dense_mv: {
    deps: [], code: 0,
    text: `/* y[r - r0] += W[r, :] . x for rows r0..r1-1 of a dense row-major [rows, cols] matrix. */
static void rp_dense_mv(const float *w, int cols, int r0, int r1, const float *x, float *y) {
  int r, k;
  for (r = r0; r < r1; ++r) {
    const float *row = w + (int32_t)r * cols;
    float acc = 0.0f;
    for (k = 0; k < cols; ++k) acc += row[k] * x[k];
    y[r - r0] += acc;
  }
}`,
    wasm: `/* y[r - r0] += W[r, :] . x for rows r0..r1-1 of a dense row-major [rows, cols] matrix; four rows at a
   time, four columns a lane (each x vector loaded once for four rows), the rest scalar. */
static void rp_dense_mv(const float *w, int cols, int r0, int r1, const float *x, float *y) {
  int r, k;
  for (r = r0; r + 4 <= r1; r += 4) {
    const float *a = w + (int32_t)r * cols, *b = a + cols, *c = b + cols, *d = c + cols;
    v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0, s2 = s0, s3 = s0, p, q, t;
    float acc[4];
    for (k = 0; k + 4 <= cols; k += 4) {
      v128_t xv = wasm_v128_load(x + k);
      s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(a + k), xv));
      s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(b + k), xv));
      s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(wasm_v128_load(c + k), xv));
      s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(wasm_v128_load(d + k), xv));
    }
    /* lane j of t = the sum of s_j's lanes */
    p = wasm_f32x4_add(wasm_i32x4_shuffle(s0, s1, 0, 4, 1, 5), wasm_i32x4_shuffle(s0, s1, 2, 6, 3, 7));
    q = wasm_f32x4_add(wasm_i32x4_shuffle(s2, s3, 0, 4, 1, 5), wasm_i32x4_shuffle(s2, s3, 2, 6, 3, 7));
    t = wasm_f32x4_add(wasm_i64x2_shuffle(p, q, 0, 2), wasm_i64x2_shuffle(p, q, 1, 3));
    wasm_v128_store(acc, t);
    for (; k < cols; ++k) {
      acc[0] += a[k] * x[k]; acc[1] += b[k] * x[k]; acc[2] += c[k] * x[k]; acc[3] += d[k] * x[k];
    }
    y[r - r0] += acc[0]; y[r - r0 + 1] += acc[1]; y[r - r0 + 2] += acc[2]; y[r - r0 + 3] += acc[3];
  }
  for (; r < r1; ++r) {
    const float *row = w + (int32_t)r * cols;
    float acc = 0.0f;
    for (k = 0; k < cols; ++k) acc += row[k] * x[k];
    y[r - r0] += acc;
  }
}`,
  },
  rp_csr_mv_u16_u16: csrMv('u16', 'u16'),
  rp_csr_mv_u16_i32: csrMv('u16', 'i32'),
  rp_csr_mv_i32_u16: csrMv('i32', 'u16'),
  rp_csr_mv_i32_i32: csrMv('i32', 'i32'),
  rp_linear: {
    deps: ['rp_mv_fn'], code: 130,
    text: `/* y[i, :] = W x[i, :] + bias for each of the m rows of x (Gemm, MatMul): bias is NULL, one row
   shared by every i (per_row 0) or a full [m, n] block (per_row 1). */
static void rp_linear(rp_mv_fn mv, int m, int k, int n, const float *x, float *y, const float *bias, int per_row) {
  int i, j;
  for (i = 0; i < m; ++i) {
    float *yi = y + i * n;
    const float *bi = bias ? bias + (per_row ? i * n : 0) : NULL;
    for (j = 0; j < n; ++j) yi[j] = bi ? bi[j] : 0.0f;
    mv(0, n, x + i * k, yi);
  }
}`,
  },
  rp_conv2d: {
    deps: [], code: 0,
    text: `/* Geometry of a 2-D convolution (batch 1, group 1): input [cin, h, w], output [cout, oh, ow]. */
typedef struct {
  int cin, h, w, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw;
  const float *bias; /* [cout] or NULL */
} rp_conv2d;

static void rp_conv2d_init(const rp_conv2d *g, float *y) {
  int o, i, n = g->oh * g->ow;
  for (o = 0; o < g->cout; ++o)
    for (i = 0; i < n; ++i) y[o * n + i] = g->bias ? g->bias[o] : 0.0f;
}`,
  },
  rp_conv2d_tap: {
    deps: ['rp_conv2d'], code: 300,
    text: `/* Adds weight w, at column col = (input channel, ky, kx) of one output channel, to every pixel of yo. */
static void rp_conv2d_tap(const rp_conv2d *g, int col, float w, const float *x, float *yo) {
  int ksz = g->kh * g->kw, c = col / ksz, ky = (col % ksz) / g->kw, kx = col % g->kw, oy, ox;
  const float *xc = x + c * g->h * g->w;
  for (oy = 0; oy < g->oh; ++oy) {
    int iy = oy * g->sh - g->ph + ky * g->dh;
    if (iy < 0 || iy >= g->h) continue;
    for (ox = 0; ox < g->ow; ++ox) {
      int ix = ox * g->sw - g->pw + kx * g->dw;
      if (ix >= 0 && ix < g->w) yo[oy * g->ow + ox] += w * xc[iy * g->w + ix];
    }
  }
}`,
  },
  rp_conv2d_dense: {
    deps: ['rp_conv2d_tap'], code: 150,
    text: `/* 2-D convolution with a dense weight [cout, cin*kh*kw] (exact zeros are skipped). */
static void rp_conv2d_dense(const rp_conv2d *g, const float *wt, const float *x, float *y) {
  int o, col, k = g->cin * g->kh * g->kw;
  rp_conv2d_init(g, y);
  for (o = 0; o < g->cout; ++o)
    for (col = 0; col < k; ++col)
      if (wt[o * k + col] != 0.0f) rp_conv2d_tap(g, col, wt[o * k + col], x, y + o * g->oh * g->ow);
}`,
  },
  rp_conv2d_csr_u16_u16: convCsr('u16', 'u16'),
  rp_conv2d_csr_u16_i32: convCsr('u16', 'i32'),
  rp_conv2d_csr_i32_u16: convCsr('i32', 'u16'),
  rp_conv2d_csr_i32_i32: convCsr('i32', 'i32'),
  rp_pool2d: {
    deps: [], code: 0,
    text: `/* Geometry of a 2-D pooling window: input [c, h, w], output [c, oh, ow]; eh, ew pad the end. */
typedef struct { int c, h, w, oh, ow, kh, kw, sh, sw, ph, pw, eh, ew, dh, dw, count_include_pad; } rp_pool2d;`,
  },
  rp_maxpool2d: {
    deps: ['rp_pool2d'], code: 316,
    text: `/* MaxPool: padding cells never win. */
static void rp_maxpool2d(const rp_pool2d *g, const float *x, float *y) {
  int c, oy, ox, ky, kx;
  for (c = 0; c < g->c; ++c)
    for (oy = 0; oy < g->oh; ++oy)
      for (ox = 0; ox < g->ow; ++ox) {
        float m = -INFINITY;
        for (ky = 0; ky < g->kh; ++ky) {
          int iy = oy * g->sh - g->ph + ky * g->dh;
          if (iy < 0 || iy >= g->h) continue;
          for (kx = 0; kx < g->kw; ++kx) {
            int ix = ox * g->sw - g->pw + kx * g->dw;
            if (ix >= 0 && ix < g->w && x[(c * g->h + iy) * g->w + ix] > m) m = x[(c * g->h + iy) * g->w + ix];
          }
        }
        y[(c * g->oh + oy) * g->ow + ox] = m;
      }
}`,
  },
  rp_avgpool2d: {
    deps: ['rp_pool2d'], code: 400,
    text: `/* AveragePool: the divisor counts the cells inside the input, plus the explicit padding
   when count_include_pad (never cells past the padded extent, which ceil_mode can reach). */
static void rp_avgpool2d(const rp_pool2d *g, const float *x, float *y) {
  int c, oy, ox, ky, kx;
  for (c = 0; c < g->c; ++c)
    for (oy = 0; oy < g->oh; ++oy)
      for (ox = 0; ox < g->ow; ++ox) {
        float s = 0.0f;
        int n = 0;
        for (ky = 0; ky < g->kh; ++ky) {
          int iy = oy * g->sh - g->ph + ky * g->dh;
          if (iy < -g->ph || iy >= g->h + g->eh) continue;
          for (kx = 0; kx < g->kw; ++kx) {
            int ix = ox * g->sw - g->pw + kx * g->dw, inside;
            if (ix < -g->pw || ix >= g->w + g->ew) continue;
            inside = iy >= 0 && iy < g->h && ix >= 0 && ix < g->w;
            if (inside) s += x[(c * g->h + iy) * g->w + ix];
            if (inside || g->count_include_pad) ++n;
          }
        }
        y[(c * g->oh + oy) * g->ow + ox] = n ? s / (float)n : 0.0f;
      }
}`,
  },
  rp_global_avgpool: {
    deps: [], code: 56,
    text: `/* GlobalAveragePool: the mean of each of c planes of n cells. */
static void rp_global_avgpool(const float *x, float *y, int c, int n) {
  int i, k;
  for (i = 0; i < c; ++i) {
    float s = 0.0f;
    for (k = 0; k < n; ++k) s += x[i * n + k];
    y[i] = s / (float)n;
  }
}`,
  },
};
