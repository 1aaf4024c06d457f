// Spectral analysis of pruned layers as bipartite graphs (SPECTRAL.md).
export {
  graphMetrics, metricsOfBipartite, isRamanujan, imdb, imdbSide, deltaR, deltaS, narc,
  type GraphMetrics, type ImdbSide, type WeightedMetrics, type MetricsOptions, type Criterion, type NarcConvention,
} from './metrics.ts';
export { layerGraphs, graphsOfMatrix, expandGroups, type LayerGraph } from './graphs.ts';
export { topTwoSingularValues, type TopTwo, type SolverOptions } from './svd.ts';
export { bipartiteFromView, type MatrixView, type Bipartite, type SparseMatrix } from './sparse.ts';
export { magnitudeMask, maskView, keepCount } from './mask.ts';
export { quotientView, quotientGraphs } from './quotient.ts';
