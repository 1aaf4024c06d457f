// The bipartite graphs a mask of a target makes (SPECTRAL.md §1), built by the
// spectral module's own rules (graphsOfMatrix: stacked per direction, optionally
// per gate, grouped convolutions block-diagonal) from the mask as 0/1 weights:
// the guard judges structure.
import { graphsOfMatrix } from '../spectral/index.ts';
import type { MatrixView } from '../spectral/index.ts';
import type { Mask, PruneTarget } from './types.ts';

export interface MaskView extends MatrixView {
  /** 'stacked' or the gate's name. */
  view: string;
  direction: number;
}

export function maskViews(t: PruneTarget, mask: Mask, perGate: boolean): MaskView[] {
  const out: MaskView[] = [];
  const per = t.rows * t.cols;
  for (let d = 0; d < t.directions; d++) {
    const m = Float32Array.from(mask.subarray(d * per, (d + 1) * per));
    for (const g of graphsOfMatrix(t, d, m, perGate)) {
      out.push({ ...g.view, view: g.gate ?? 'stacked', direction: d });
    }
  }
  return out;
}
