// C helpers for LSTM, GRU and RNN: one direction's parameters, the three cells (one time
// step each) and the sequence runner shared by all of them.
import type { Helper } from './types.ts';

export const recurrentHelpers: Record<string, Helper> = {
  rp_rnn_dir: {
    deps: ['rp_mv_fn'], code: 0,
    text: `/* One direction of a recurrent node. Gates are stacked in ONNX order (LSTM i, o, f, c; GRU z, r, h). */
typedef struct {
  int input_size, hidden;
  rp_mv_fn W, R;           /* [gates*hidden, input_size] and [gates*hidden, hidden] */
  const float *b;          /* [gates*hidden] Wb + Rb (GRU linear_before_reset: h gate Wbh only), or NULL */
  const float *rbh;        /* GRU linear_before_reset: Rbh [hidden], or NULL */
  const float *p;          /* LSTM peepholes [3*hidden] (i, o, f), or NULL */
  float clip;              /* bound on every gate pre-activation; 0: none */
  int input_forget;        /* LSTM: f = 1 - i */
  int linear_before_reset; /* GRU */
} rp_rnn_dir;
typedef void (*rp_cell_fn)(const rp_rnn_dir *d, const float *x, float *h, float *c, float *scratch);

static float rp_clip(float v, float clip) { return clip > 0.0f ? (v > clip ? clip : (v < -clip ? -clip : v)) : v; }

static void rp_gates(const rp_rnn_dir *d, int n, float *g) { int j; for (j = 0; j < n; ++j) g[j] = d->b ? d->b[j] : 0.0f; }`,
  },
  rp_lstm_cell: {
    deps: ['rp_rnn_dir', 'rp_sigmoid'], code: 220,
    text: `/* One LSTM step (scratch: 4*hidden). h and c are updated in place. */
static void rp_lstm_cell(const rp_rnn_dir *d, const float *x, float *h, float *c, float *g) {
  int H = d->hidden, j;
  rp_gates(d, 4 * H, g);
  d->W(0, 4 * H, x, g);
  d->R(0, 4 * H, h, g);
  for (j = 0; j < H; ++j) {
    float gi = g[j], go = g[H + j], gf = g[2 * H + j], gc = g[3 * H + j], cn;
    if (d->p) { gi += d->p[j] * c[j]; gf += d->p[2 * H + j] * c[j]; }
    gi = rp_sigmoid(rp_clip(gi, d->clip));
    gf = d->input_forget ? 1.0f - gi : rp_sigmoid(rp_clip(gf, d->clip));
    gc = tanhf(rp_clip(gc, d->clip));
    cn = gf * c[j] + gi * gc;
    if (d->p) go += d->p[H + j] * cn;
    go = rp_sigmoid(rp_clip(go, d->clip));
    c[j] = cn;
    h[j] = go * tanhf(cn);
  }
}`,
  },
  rp_gru_cell: {
    deps: ['rp_rnn_dir', 'rp_sigmoid'], code: 560,
    text: `/* One GRU step (scratch: 4*hidden). h is updated in place; c is unused. */
static void rp_gru_cell(const rp_rnn_dir *d, const float *x, float *h, float *c, float *g) {
  int H = d->hidden, j;
  float *t = g + 3 * H;
  (void)c;
  rp_gates(d, 3 * H, g);
  d->W(0, 3 * H, x, g);
  d->R(0, 2 * H, h, g);
  for (j = 0; j < 2 * H; ++j) g[j] = rp_sigmoid(rp_clip(g[j], d->clip)); /* z, r */
  if (d->linear_before_reset) { /* n = g(Wh x + Wbh + r * (Rh h + Rbh)) */
    for (j = 0; j < H; ++j) t[j] = d->rbh ? d->rbh[j] : 0.0f;
    d->R(2 * H, 3 * H, h, t);
    for (j = 0; j < H; ++j) g[2 * H + j] += g[H + j] * t[j];
  } else { /* n = g(Wh x + Wbh + Rh (r * h) + Rbh) */
    for (j = 0; j < H; ++j) t[j] = g[H + j] * h[j];
    d->R(2 * H, 3 * H, t, g + 2 * H);
  }
  for (j = 0; j < H; ++j) {
    float n = tanhf(rp_clip(g[2 * H + j], d->clip));
    h[j] = (1.0f - g[j]) * n + g[j] * h[j];
  }
}`,
  },
  rp_rnn_cell: {
    deps: ['rp_rnn_dir'], code: 212,
    text: `/* One simple RNN step, tanh (scratch: hidden). */
static void rp_rnn_cell(const rp_rnn_dir *d, const float *x, float *h, float *c, float *g) {
  int H = d->hidden, j;
  (void)c;
  rp_gates(d, H, g);
  d->W(0, H, x, g);
  d->R(0, H, h, g);
  for (j = 0; j < H; ++j) h[j] = tanhf(rp_clip(g[j], d->clip));
}`,
  },
  rp_recurrent: {
    deps: ['rp_rnn_dir'], code: 256,
    text: `/* A recurrent node over a sequence: x [seq, 1, input], y [seq, dirs, 1, hidden] or NULL. h and c
   ([dirs, hidden]; c NULL but for LSTM) hold the initial state on entry and the final one on
   return. Direction 1, and the one direction of a reverse node, walks backwards. Steps from
   len on (sequence_lens) are zero in y and leave the state alone. */
static void rp_recurrent(rp_cell_fn cell, const rp_rnn_dir *dirs, int ndirs, int reverse, int seq, int len,
                         const float *x, float *y, float *h, float *c, float *scratch) {
  int d, k, H = dirs[0].hidden, I = dirs[0].input_size;
  if (y && len < seq) memset(y + (int32_t)len * ndirs * H, 0, (size_t)((seq - len) * ndirs * H) * sizeof(float));
  for (d = 0; d < ndirs; ++d)
    for (k = 0; k < len; ++k) {
      int t = (reverse || d == 1) ? len - 1 - k : k;
      cell(dirs + d, x + (int32_t)t * I, h + d * H, c ? c + d * H : NULL, scratch);
      if (y) memcpy(y + ((int32_t)t * ndirs + d) * H, h + d * H, (size_t)H * sizeof(float));
    }
}`,
  },
};
