// bench.json's schema, checked field by field (src/bench/types.ts says what each is):
// a reader of the file — a plot script, the lead's notes — relies on these names and types.
import assert from 'node:assert/strict';

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'number|null' | 'string|null' | 'boolean|null';

function check(o: Record<string, unknown>, fields: Record<string, Kind>, where: string): void {
  assert.equal(typeof o, 'object', where);
  for (const [k, kind] of Object.entries(fields)) {
    const v = o[k];
    const ok = kind.split('|').some((t) => (t === 'null' ? v === null : t === 'array' ? Array.isArray(v) : t === 'object' ? typeof v === 'object' && v !== null && !Array.isArray(v) : typeof v === t));
    assert.ok(ok, `${where}.${k}: expected ${kind}, got ${JSON.stringify(v)?.slice(0, 80)}`);
    if (typeof v === 'number') assert.ok(Number.isFinite(v), `${where}.${k} is finite`);
  }
}

const STAT = { medianMs: 'number', p10Ms: 'number', p90Ms: 'number', runs: 'number' } as const;

export function checkBenchFile(f: Record<string, unknown>): void {
  check(f, { schema: 'string', complete: 'boolean', config: 'object', conditions: 'object', model: 'object', points: 'array', records: 'array', notes: 'array' }, 'bench');
  assert.equal(f.schema, 'rampart-bench/1');
  check(f.conditions as Record<string, unknown>, { cpu: 'string', cores: 'number', arch: 'string', isa: 'array', wasmSimd: 'boolean', threads: 'number', node: 'string', loadAverage: 'number', date: 'string' }, 'conditions');
  check(f.model as Record<string, unknown>, { path: 'string', name: 'string', input: 'string', dataset: 'string', testSamples: 'number', trainSamples: 'number' }, 'model');
  check(f.config as Record<string, unknown>, { levels: 'array', blocks: 'array', method: 'string', epochs: 'number', runtimes: 'array', batches: 'array', rounds: 'number', fingerprint: 'string' }, 'config');
  for (const [i, p] of (f.points as Record<string, unknown>[]).entries()) {
    const w = `points[${i}]`;
    check(p, {
      id: 'string', level: 'string', block: 'string', sparsity: 'number', afterPrune: 'number', accuracy: 'number', noise: 'object', epochs: 'number',
      history: 'array', layers: 'array', allRamanujan: 'boolean', minDeltaR: 'number|null', sizes: 'object', latency: 'object', denseLatency: 'object',
      files: 'object', notes: 'array', loadAverage: 'number', date: 'string', seconds: 'number', fingerprint: 'string',
    }, w);
    check(p.sizes as Record<string, unknown>, { denseOnnxBytes: 'number', csrOnnxBytes: 'number', cFlashBytes: 'number|null' }, `${w}.sizes`);
    for (const l of p.layers as Record<string, unknown>[]) {
      check(l, { layer: 'string', op: 'string', graph: 'string', direction: 'number', sparsity: 'number', deltaR: 'number|null', imdb: 'number|null', ramanujan: 'boolean|null' }, `${w}.layers`);
    }
    for (const byRuntime of [...Object.values(p.latency as object), ...Object.values(p.denseLatency as object)]) {
      for (const s of Object.values(byRuntime as object)) check(s as Record<string, unknown>, STAT, `${w}.latency`);
    }
  }
  for (const [i, r] of (f.records as Record<string, unknown>[]).entries()) {
    check(r, {
      model: 'string', level: 'string', block: 'string', runtime: 'string', batch: 'number', sparsity: 'number', accuracy: 'number', afterPrune: 'number',
      medianMs: 'number|null', p10Ms: 'number|null', p90Ms: 'number|null', denseMedianMs: 'number|null', allRamanujan: 'boolean', minDeltaR: 'number|null',
      denseOnnxBytes: 'number', csrOnnxBytes: 'number', cFlashBytes: 'number|null', noise: 'object', loadAverage: 'number',
    }, `records[${i}]`);
  }
}
