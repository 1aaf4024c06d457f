// What the op kernels of one table share: the backend, the base (dense reference)
// table they fall back to, and the cache of packed weights. Only tensors the session
// pinned (its initializers, immutable for its lifetime) are packed once and kept;
// any other weight is packed per call inside the call's scratch scope.
import type { Node, Tensor } from '../ir.ts';
import type { KernelTable } from '../ops/types.ts';
import type { Linalg, PackedMatrix, PackOptions, WeightSource } from './linalg.ts';
import { chooseFormat } from './linalg.ts';
import { sourceDensity } from './pack.ts';

/**
 * What a fused node (runtime/kernels/fuse.ts) asks the next conv2d to do before it
 * copies its output out of backend memory: Relu in place, then a 2-D MaxPool. conv2d
 * sets the *Done flags for what it did; the fused kernel runs the rest with the
 * ordinary kernels, so a producer that falls back to the reference kernel stays correct.
 */
export interface Epilogue {
  /** The producer node it is for: a conv2d run for any other node (a function body's) leaves it. */
  node: Node;
  relu: boolean;
  pool: Node | null;
  reluDone: boolean;
  poolDone: boolean;
}

/** Where a packed weight is used, recorded for reports (session.layers()). */
export interface PackRecord {
  node: string;
  input: string;
  format: PackedMatrix['format'];
  rows: number;
  cols: number;
  density: number;
  bytes: number;
}

export class KernelEnv {
  private readonly pinned = new WeakSet<object>();
  private readonly cache = new WeakMap<object, Map<string, PackedMatrix>>();
  private readonly densities = new WeakMap<object, Map<string, number>>();
  readonly records = new Map<string, PackRecord>();
  /** Force every prunable weight to one format (tests, the crossover bench). */
  format: PackOptions['format'] = 'auto';
  /** Set by a fused kernel around its producer's call; taken (and cleared) by the first conv2d. */
  epilogue: Epilogue | null = null;

  constructor(readonly linalg: Linalg, readonly base: KernelTable) {}

  pin(t: Tensor): void {
    if (typeof t.data === 'object') this.pinned.add(t.data);
  }

  isPinned(t: Tensor): boolean {
    return this.pinned.has(t.data);
  }

  /**
   * The persistent pack of a pinned weight (packed on first use), or null when the
   * tensor is not pinned: then call pack() inside scope().
   */
  persistent(t: Tensor, key: string, src: () => WeightSource, batched: boolean, record?: { node: string; input: string }): PackedMatrix | null {
    if (!this.pinned.has(t.data)) return null;
    const opts: PackOptions = { persistent: true, batched, format: this.format };
    let dens = this.densities.get(t.data);
    if (!dens) this.densities.set(t.data, (dens = new Map()));
    let density = dens.get(key);
    if (density === undefined) dens.set(key, (density = sourceDensity(src())));
    const fullKey = `${key}|${chooseFormat(this.linalg, density, opts)}`;
    let m = this.cache.get(t.data);
    if (!m) this.cache.set(t.data, (m = new Map()));
    let p = m.get(fullKey);
    if (!p) {
      p = this.linalg.pack(src(), opts);
      m.set(fullKey, p);
      if (record) {
        this.records.set(`${record.node}/${record.input}/${key}`, {
          ...record, format: p.format, rows: p.rows, cols: p.cols, density: p.density, bytes: p.bytes,
        });
      }
    }
    return p;
  }

  /** The pending epilogue for `node`, cleared so a later conv does not see it. */
  takeEpilogue(node: Node): Epilogue | null {
    const e = this.epilogue;
    if (!e || e.node !== node) return null;
    this.epilogue = null;
    return e;
  }

  /** A per-call pack: only valid inside scope(). */
  pack(src: WeightSource, batched: boolean): PackedMatrix {
    return this.linalg.pack(src, { persistent: false, batched, format: this.format });
  }

  /** Runs fn with a scratch scope released afterwards. */
  scope<T>(fn: () => T): T {
    const m = this.linalg.mark();
    try {
      return fn();
    } finally {
      this.linalg.release(m);
    }
  }
}
