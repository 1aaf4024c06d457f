// What the op kernels of one table share: the backend, the base (dense reference)
// table they fall back to, and the cache of packed weights. Only tensors the session
// pinned (its initializers, immutable for its lifetime) are packed once and kept;
// any other weight is packed per call inside the call's scratch scope.
import type { Node, Tensor } from '../ir.ts';
import type { KernelTable } from '../ops/types.ts';
import type { BlockShape, FormatRequest, Linalg, PackChoice, PackedMatrix, PackOptions, WeightSource } from './linalg.ts';
import { choiceKey, choosePack } from './linalg.ts';

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
  /** BSR's blocks (br x bc, natural or gate-fused rows); a wasm batch-1 CSR's 1x4 groups; else null. */
  block: BlockShape | null;
  rows: number;
  cols: number;
  density: number;
  /** Entries one pass multiplies (padding zeros of blocks included). */
  stored: number;
  bytes: number;
}

export class KernelEnv {
  private readonly pinned = new WeakSet<object>();
  private readonly cache = new WeakMap<object, Map<string, PackedMatrix>>();
  private readonly choices = new WeakMap<object, Map<string, PackChoice>>();
  readonly records = new Map<string, PackRecord>();
  /** Force every prunable weight to one format (tests, the crossover bench): dense, CSR or BSR br x 1. */
  format: FormatRequest = 'auto';
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
    // The choice is made once per weight, kernel shape and forced format (it reads the whole weight).
    let choices = this.choices.get(t.data);
    if (!choices) this.choices.set(t.data, (choices = new Map()));
    const ck = `${key}|${batched ? 'gemm' : 'gemv'}|${typeof this.format === 'object' ? `bsr${this.format.bsr}${this.format.map ?? ''}` : this.format}`;
    let choice = choices.get(ck);
    if (!choice) choices.set(ck, (choice = choosePack(this.linalg, src(), opts)));
    opts.choice = choice;
    const fullKey = `${key}|${choiceKey(choice)}`;
    let m = this.cache.get(t.data);
    if (!m) this.cache.set(t.data, (m = new Map()));
    let p = m.get(fullKey);
    if (!p) {
      p = this.linalg.pack(src(), opts);
      m.set(fullKey, p);
      if (record) {
        this.records.set(`${record.node}/${record.input}/${key}`, {
          ...record, format: p.format, block: p.block, rows: p.rows, cols: p.cols, density: p.density, stored: p.nnz, bytes: p.bytes,
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
