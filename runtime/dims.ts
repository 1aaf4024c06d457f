// Which free (symbolic or unknown) dim of a graph input is the batch and which a
// sequence: the one rule behind the C target's binding (batch -> 1, sequence ->
// --seq-len), `rampart inspect --batch/--seq-len`, the dataset layouts (batch-first
// or time-major) and the latency probe. It lives in runtime/ so that the targets and
// src/ both import it and the runtime stays free of src/.
//
// A name decides when it tells: it is cut into words at '_', '-', '.', spaces,
// lower-to-upper case steps and letter/digit steps ('batch_count' -> batch, count;
// 'seqLen' -> seq, len; 's0' -> s, 0). A word containing 'batch' makes the batch
// ('batch', 'batch_size', 'batch_count', 'minibatch', 'dynamic_batch'); otherwise a word
// starting with 'seq', 'time', 'step' or 'len' makes a sequence ('seq', 'seq_len',
// 'sequence', 'time', 'timesteps', 'steps', 'n_steps', 'length'). Whole names of one or
// two letters follow the usual notation: N, B, BS are the batch; T and L (PyTorch's
// nn.LSTM docs) a sequence. Batch is tested first, so 'batch_len' is a batch.
// Any other name ('s0' from torch.export, tf2onnx's 'unk__12', 'dim') tells nothing,
// and the position decides: the batch axis (0, or 1 for a time-major [T,B,F] input)
// is the batch and every other free axis a sequence.
import type { Dim } from './ir.ts';

export type DimRole = 'batch' | 'seq';

const BATCH_SHORT = new Set(['n', 'b', 'bs']);
const SEQ_SHORT = new Set(['t', 'l']);
const SEQ_WORD = /^(seq|time|step|len)/;

function words(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/\d+/g, ' $& ')
    .toLowerCase()
    .split(/[\s_.\-]+/)
    .filter(Boolean);
}

/** The role a dim's name tells, or null when it tells none. */
export function dimRoleOfName(name: string): DimRole | null {
  const whole = name.toLowerCase();
  if (BATCH_SHORT.has(whole)) return 'batch';
  if (SEQ_SHORT.has(whole)) return 'seq';
  const ws = words(name);
  if (ws.some((w) => w.includes('batch'))) return 'batch';
  if (ws.some((w) => SEQ_WORD.test(w))) return 'seq';
  return null;
}

/** True when the name says batch (the C target fixes such a dim to 1). */
export function isBatchName(name: string): boolean {
  return dimRoleOfName(name) === 'batch';
}

/**
 * The role of a free dim `d` on axis `axis`: its name's, when the name tells one;
 * otherwise the batch on `batchAxis` and a sequence on any other axis.
 */
export function dimRole(d: Dim, axis: number, batchAxis = 0): DimRole {
  const named = typeof d === 'string' ? dimRoleOfName(d) : null;
  return named ?? (axis === batchAxis ? 'batch' : 'seq');
}
