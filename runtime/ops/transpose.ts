// Transpose: output dimension i is input dimension perm[i]; perm defaults to the
// reversal of the axes.
import { allocData, sizeOf, stridesOf } from '../tensor.ts';
import { attrInts, fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { type Elements, forEachIndex, need } from './shared.ts';

export const transposeKernels: KernelTable = {
  Transpose: (inputs, node) => {
    const x = need(node, inputs, 0, 'data');
    const r = x.dims.length;
    const perm = attrInts(node, 'perm') ?? x.dims.map((_, i) => r - 1 - i);
    const seen = new Set(perm);
    if (perm.length !== r || seen.size !== r || perm.some((p) => !Number.isInteger(p) || p < 0 || p >= r)) {
      fail(node, `perm [${perm.join(',')}] for rank ${r}`, `a permutation of 0..${r - 1}`);
    }
    const dims = perm.map((p) => x.dims[p]);
    const inStrides = stridesOf(x.dims);
    // Input stride along each output axis.
    const step = perm.map((p) => inStrides[p]);
    const src = x.data as Elements;
    const out = allocData(x.dtype, sizeOf(dims)) as Elements;
    forEachIndex(dims, (c, k) => {
      let off = 0;
      for (let i = 0; i < r; i++) off += c[i] * step[i];
      out[k] = src[off];
    });
    return [{ dtype: x.dtype, dims, data: out as typeof x.data }];
  },
};
