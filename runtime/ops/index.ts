// The reference kernel table: slow, dense, obviously correct. It is the oracle every
// sparse and WASM kernel is checked against, and the table other backends overlay.
// Adding an op: its file, one line here, its cases in test/conformance/manifest.ts.
import type { KernelTable } from './types.ts';
import { batchnormKernels } from './batchnorm.ts';
import { binaryKernels } from './binary.ts';
import { castKernels } from './cast.ts';
import { concatKernels } from './concat.ts';
import { constantKernels } from './constant.ts';
import { convKernels } from './conv.ts';
import { cumsumKernels } from './cumsum.ts';
import { expandKernels } from './expand.ts';
import { gatherKernels } from './gather.ts';
import { gemmKernels } from './gemm.ts';
import { identityKernels } from './identity.ts';
import { layerNormKernels } from './layernorm.ts';
import { matmulKernels } from './matmul.ts';
import { padKernels } from './pad.ts';
import { poolKernels } from './pool.ts';
import { reduceKernels } from './reduce.ts';
import { reshapeKernels } from './reshape.ts';
import { resizeKernels } from './resize.ts';
import { scatterKernels } from './scatter.ts';
import { shapeKernels } from './shape.ts';
import { sliceKernels } from './slice.ts';
import { softmaxKernels } from './softmax.ts';
import { squeezeKernels } from './squeeze.ts';
import { transposeKernels } from './transpose.ts';
import { unaryKernels } from './unary.ts';
import { whereKernels } from './where.ts';
import { recurrentKernels } from './recurrent/index.ts';

/** The reference kernels without the recurrent family (runtime/ops/recurrent/ adds those). */
export const denseKernels: KernelTable = {
  ...gemmKernels,
  ...matmulKernels,
  ...binaryKernels,
  ...unaryKernels,
  ...convKernels,
  ...batchnormKernels,
  ...poolKernels,
  ...padKernels,
  ...softmaxKernels,
  ...reshapeKernels,
  ...transposeKernels,
  ...squeezeKernels,
  ...concatKernels,
  ...sliceKernels,
  ...gatherKernels,
  ...shapeKernels,
  ...constantKernels,
  ...identityKernels,
  ...castKernels,
  ...whereKernels,
  ...expandKernels,
  ...reduceKernels,
  ...layerNormKernels,
  ...resizeKernels,
  ...scatterKernels,
  ...cumsumKernels,
};

export const referenceKernels: KernelTable = { ...denseKernels, ...recurrentKernels };
