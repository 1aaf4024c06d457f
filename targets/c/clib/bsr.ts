// C helpers for block-CSR (BSR) weights (runtime/bsr.ts defines the layout: blockPtr per
// block row, one column per block, values column-major inside a block). A matrix
// function calls them over whole row parts (targets/c/weights.ts), so none takes r0/r1.
//
// Rx1 blocks (R consecutive or row-mapped output rows sharing one input column): per
// stored block one index load, one input load, R independent multiply-adds into R
// sums kept in a local array of constant size (compilers keep it in registers when
// they unroll; at -Os on a Cortex-M4 they keep it on the stack and still save the
// index and input loads). R is a compile-time constant, so one helper per height.
// 1x4 blocks (four consecutive inputs of one row): one index load per four weights.
// Conv takes the block height at run time: its sums go to R output planes, not to
// registers, so a constant R would buy nothing there.
//
// The helpers are generated on demand from their names (clib/index.ts): only the
// shapes and index types a model uses are emitted.
import { C_INDEX_TYPE, type Helper, type IndexType } from './types.ts';

/** Row map entries: int16_t while every row index fits (-1 pads), else int32_t. */
export type RowMapType = 'i16' | 'i32';
export const ROW_MAP_C: Record<RowMapType, string> = { i16: 'int16_t', i32: 'int32_t' };
export const ROW_MAP_BYTES: Record<RowMapType, number> = { i16: 2, i32: 4 };

export function rowMapType(rows: number): RowMapType {
  return rows <= 0x7fff ? 'i16' : 'i32';
}

/** Name of the mat-vec helper: natural row order (rows computed), or a stored row map. */
export function bsrMvName(br: number, bc: number, ci: IndexType, bp: IndexType, map: RowMapType | null): string {
  return `rp_bsr_mv_${br}x${bc}${map ? `_map_${map}` : ''}_${ci}_${bp}`;
}

export function convBsrName(ci: IndexType, bp: IndexType): string {
  return `rp_conv2d_bsr_${ci}_${bp}`;
}

// Measured Thumb-2 sizes (clang 14, -mcpu=cortex-m4 -Os, llvm-nm per function, as for
// the other helpers; docs/design/c-target.md "Flash estimate"). At -Os the R sums' loops
// are not unrolled, so the size hardly depends on R: 206 (4x1) to 212 bytes (16x1),
// about 192 with a row map.
const MV_CODE = { natural: 210, map: 192, oneByFour: 176 };
const CONV_CODE = 190;

function rx1(br: number, ci: IndexType, bp: IndexType, map: RowMapType | null): Helper {
  const CI = C_INDEX_TYPE[ci], BP = C_INDEX_TYPE[bp];
  const name = bsrMvName(br, 1, ci, bp, map);
  const rowsDoc = map
    ? `rows map[b*${br} + j] (-1: padding)`
    : `rows (b / bps) * seg + (b % bps) * ${br} + j, those inside the segment of seg rows (bps block rows per segment)`;
  const params = map ? `const ${ROW_MAP_C[map]} *map, ` : 'int seg, int bps, ';
  const scatter = map
    ? `    for (j = 0; j < ${br}; ++j) if (map[b * ${br} + j] >= 0) y[map[b * ${br} + j]] += acc[j];`
    : `    first = (b / bps) * seg + (b % bps) * ${br};
    n = seg - (b % bps) * ${br};
    if (n > ${br}) n = ${br};
    for (j = 0; j < n; ++j) y[first + j] += acc[j];`;
  return {
    deps: [],
    code: map ? MV_CODE.map : MV_CODE.natural,
    text: `/* y[r] += M[r, :] . x over the nbr block rows of a block-CSR matrix with ${br}x1 blocks (${BP} block
   pointers, ${CI} block columns): block row b holds ${rowsDoc}. Per block: one input, ${br} sums. */
static void ${name}(const ${BP} *bptr, const ${CI} *bcol, const float *val, ${params}int nbr,
  const float *x, float *y) {
  int b, j${map ? '' : ', first, n'};
  for (b = 0; b < nbr; ++b) {
    int32_t k = (int32_t)bptr[b], end = (int32_t)bptr[b + 1];
    const float *v = val + k * ${br};
    float acc[${br}] = { 0.0f };
    for (; k < end; ++k, v += ${br}) {
      const float xv = x[bcol[k]];
      for (j = 0; j < ${br}; ++j) acc[j] += v[j] * xv;
    }
${scatter}
  }
}`,
  };
}

function oneByFour(ci: IndexType, bp: IndexType): Helper {
  const CI = C_INDEX_TYPE[ci], BP = C_INDEX_TYPE[bp];
  return {
    deps: [],
    code: MV_CODE.oneByFour,
    text: `/* y[r] += M[r, :] . x for the nbr rows of a block-CSR matrix with 1x4 blocks (${BP} block pointers,
   ${CI} block columns): each stored block is four consecutive inputs of one row. */
static void ${bsrMvName(1, 4, ci, bp, null)}(const ${BP} *bptr, const ${CI} *bcol, const float *val, int nbr,
  const float *x, float *y) {
  int b;
  for (b = 0; b < nbr; ++b) {
    int32_t k = (int32_t)bptr[b], end = (int32_t)bptr[b + 1];
    const float *v = val + k * 4;
    float acc = 0.0f;
    for (; k < end; ++k, v += 4) {
      const float *xc = x + bcol[k];
      acc += v[0] * xc[0] + v[1] * xc[1] + v[2] * xc[2] + v[3] * xc[3];
    }
    y[b] += acc;
  }
}`,
  };
}

function convBsr(ci: IndexType, bp: IndexType): Helper {
  const CI = C_INDEX_TYPE[ci], BP = C_INDEX_TYPE[bp];
  return {
    deps: ['rp_conv2d_tapn'],
    code: CONV_CODE,
    text: `/* 2-D convolution with a block-CSR weight [cout, cin*kh*kw] of br x 1 blocks (br consecutive output
   channels, one tap): each input pixel a stored block reads is loaded once for its br channels. */
static void ${convBsrName(ci, bp)}(const rp_conv2d *g, int br, const ${BP} *bptr, const ${CI} *bcol,
  const float *val, const float *x, float *y) {
  int b, nbr = (g->cout + br - 1) / br;
  rp_conv2d_init(g, y);
  for (b = 0; b < nbr; ++b) {
    int32_t k, end = (int32_t)bptr[b + 1];
    int n = g->cout - b * br < br ? g->cout - b * br : br;
    for (k = (int32_t)bptr[b]; k < end; ++k)
      rp_conv2d_tapn(g, (int)bcol[k], val + k * br, n, x, y + b * br * g->oh * g->ow);
  }
}`,
  };
}

/** The conv block tap (static: every conv BSR helper uses it). */
export const convTapN: Helper = {
  deps: ['rp_conv2d'], code: 274,
  text: `/* Adds n weights w[j] of consecutive output channels, at column col = (input channel, ky, kx), to the
   planes from yo on: each input pixel is loaded once for all n channels. */
static void rp_conv2d_tapn(const rp_conv2d *g, int col, const float *w, int n, const float *x, float *yo) {
  int ksz = g->kh * g->kw, c = col / ksz, ky = (col % ksz) / g->kw, kx = col % g->kw, plane = g->oh * g->ow, oy, ox, j;
  const float *xc = x + c * g->h * g->w;
  for (oy = 0; oy < g->oh; ++oy) {
    int iy = oy * g->sh - g->ph + ky * g->dh;
    if (iy < 0 || iy >= g->h) continue;
    for (ox = 0; ox < g->ow; ++ox) {
      int ix = ox * g->sw - g->pw + kx * g->dw;
      if (ix >= 0 && ix < g->w) {
        const float xv = xc[iy * g->w + ix];
        float *yp = yo + oy * g->ow + ox;
        for (j = 0; j < n; ++j) yp[j * plane] += w[j] * xv;
      }
    }
  }
}`,
};

const IDX = '(u16|i32)';
const MV_RE = new RegExp(`^rp_bsr_mv_(\\d+)x(\\d+)(?:_map_(i16|i32))?_${IDX}_${IDX}$`);
const CONV_RE = new RegExp(`^rp_conv2d_bsr_${IDX}_${IDX}$`);

/** The helper a generated BSR name stands for, or undefined when the name is not one. */
export function bsrHelper(name: string): Helper | undefined {
  const mv = MV_RE.exec(name);
  if (mv) {
    const [br, bc] = [Number(mv[1]), Number(mv[2])];
    const map = (mv[3] ?? null) as RowMapType | null;
    const ci = mv[4] as IndexType, bp = mv[5] as IndexType;
    if (bc === 1 && br >= 2 && br <= 32) return rx1(br, ci, bp, map);
    if (br === 1 && bc === 4 && !map) return oneByFour(ci, bp);
    return undefined;
  }
  const conv = CONV_RE.exec(name);
  if (conv) return convBsr(conv[1] as IndexType, conv[2] as IndexType);
  return undefined;
}
