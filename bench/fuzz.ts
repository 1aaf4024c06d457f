// Fuzzing the way in: seeded mutations (bench/fuzz/mutate.ts) of the committed
// fixtures, the zoo and a few small op models, each put through the compiler's
// loader, a runtime session (create + run, reference/wasm/js in turn) and one CLI
// command (bench/fuzz/worker.ts). Every mutant must end ok or with a RampartError:
// an internal error (any other exception, CLI exit 70), a hang (more than --timeout
// seconds of CPU, or six times that of wall clock) or a run past the memory watch
// (--max-rss) is a finding, saved to out/fuzz/ for reproduction and, once fixed,
// made a fixture in test/fixtures/fuzz/.
//
//   npm run bench -- fuzz [--count 10000] [--seed 1] [--workers 2] [--timeout 10]
//                         [--max-memory 256M] [--max-rss 1536] [--time-limit 1200]
//   npm run bench -- fuzz --only 17,4242      rebuild mutants and run them here, verbosely
//
// Workers run many mutants each (a node + tsx start costs ~1 s); the parent hands
// out chunks, watches each worker's current mutant against its CPU time and RSS
// (/proc/<pid>/stat and status, every 50 ms), and replaces a worker it had to kill.
// Results: bench/results/fuzz.json and fuzz.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Model, Node, Tensor } from '../runtime/ir.ts';
import { parseMemorySize } from '../runtime/limits.ts';
import { loadModel } from '../src/onnx/import.ts';
import { encodeModel } from '../src/onnx/export.ts';
import { TARGETS } from '../targets/index.ts';
import { conditions, writeJson } from './common.ts';
import { writeFileAtomic } from '../src/io/atomic.ts';
import { makeRand, mutate } from './fuzz/mutate.ts';
import type { Job, MutantResult, Outcome, ToParent } from './fuzz/worker.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKER = fileURLToPath(new URL('./fuzz/worker.ts', import.meta.url));
const CHUNK = 20;
/** A mutant may take this many times its CPU bound in wall-clock time (the machine is shared) before it counts as hung. */
const WALL_FACTOR = 6;

type Finding = { index: number; kind: 'internal' | 'hang' | 'oom' | 'crash'; stage: string; seed?: string; kinds?: string[]; detail: string; argv?: string[] };

// ---- the corpus -------------------------------------------------------------------

const t = (dtype: Tensor['dtype'], dims: number[], data: number[]): Tensor => ({
  dtype, dims, data: dtype === 'int64' ? Float64Array.from(data) : Float32Array.from(data),
});
const n = (op: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node => ({ name: `${op}_${outputs[0]}`, op, domain: '', inputs, outputs, attrs });

function small(name: string, nodes: Node[], initializers: Record<string, Tensor>, opset: number, input = { name: 'x', dims: [2, 3] as (number | string)[] }): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: opset }], producerName: 'rampart-fuzz', producerVersion: '',
    graph: { name, inputs: [{ name: input.name, dtype: 'float32', shape: input.dims }], outputs: [{ name: 'y', dtype: 'float32', shape: null }], initializers, nodes, valueInfo: {} },
    functions: [], metadata: {},
  };
}

/** Small models for the ops whose sizes come from the file, and a compiled CSR model. */
function generatedSeeds(dir: string): string[] {
  const models: Record<string, Model> = {
    'constant-of-shape': small('cos', [n('ConstantOfShape', ['s'], ['c']), n('Add', ['x', 'c'], ['y'])], { s: t('int64', [2], [2, 3]) }, 14),
    pad: small('pad', [n('Pad', ['x', 'p'], ['y'])], { p: t('int64', [4], [1, 0, 0, 2]) }, 13),
    'unsqueeze-13': small('unsq', [n('Unsqueeze', ['x', 'a'], ['y'])], { a: t('int64', [2], [0, 3]) }, 13),
    'unsqueeze-11': small('unsq', [n('Unsqueeze', ['x'], ['y'], { axes: { type: 'ints', value: [0, 3] } })], {}, 11),
    reshape: small('reshape', [n('Reshape', ['x', 's'], ['r']), n('Transpose', ['r'], ['y'], { perm: { type: 'ints', value: [1, 0] } })], { s: t('int64', [2], [3, -1]) }, 14),
  };
  const fn = small('fn', [{ name: 'call', op: 'Twice', domain: 'local', inputs: ['x'], outputs: ['y'], attrs: {} }], {}, 14);
  fn.opsetImports.push({ domain: 'local', version: 1 });
  fn.functions = [{ name: 'Twice', domain: 'local', inputs: ['a'], outputs: ['b'], attributes: [], opsetImports: [{ domain: '', version: 14 }], nodes: [n('Add', ['a', 'a'], ['b'])] }];
  models.function = fn;
  const out: string[] = [];
  for (const [name, m] of Object.entries(models)) {
    const p = join(dir, `${name}.onnx`);
    writeFileSync(p, encodeModel(m));
    out.push(p);
  }
  // The fixture LSTM with its smaller half of weights zeroed, compiled to CSR functions.
  const lstm = loadModel(join(ROOT, 'test/fixtures/lstm.onnx'));
  for (const w of Object.values(lstm.graph.initializers)) {
    if (w.dtype !== 'float32' || w.data.length < 64) continue;
    const d = w.data as Float32Array;
    const cut = [...d].map(Math.abs).sort((a, b) => a - b)[d.length >> 1];
    for (let i = 0; i < d.length; i++) if (Math.abs(d[i]) < cut) d[i] = 0;
  }
  const csr = join(dir, 'lstm-csr.onnx');
  writeFileSync(csr, TARGETS['onnx-csr'].compile(lstm, { file: csr }).bytes);
  out.push(csr);
  return out;
}

function corpus(dir: string): string[] {
  const onnxIn = (d: string) => {
    try {
      return readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.onnx')).sort().map((f) => join(ROOT, d, f));
    } catch {
      return [];
    }
  };
  const zoo = readdirSync(join(ROOT, 'models')).sort().map((d) => join(ROOT, 'models', d, 'model.onnx')).filter((p) => {
    try { return readFileSync(p).length > 0; } catch { return false; }
  });
  return [...onnxIn('test/fixtures'), ...onnxIn('test/fixtures/extra'), ...onnxIn('test/fixtures/fuzz'), ...zoo, ...generatedSeeds(dir)];
}

// ---- the workers ------------------------------------------------------------------

interface Slot { proc: ChildProcess; current: number | null; stage: string; since: number; cpuSince: number; queue: number[]; stderr: string; peak: number }

/** CPU seconds (user + system) a process has used: a mutant's clock, whatever else the machine runs. */
function cpuOf(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces, hence the last ')'): utime and stime are 14th and 15th overall.
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function fuzz(o: { count: number; seed: number; workers: number; timeoutMs: number; maxMemory: number; maxRss: number; timeLimitMs: number; first: number }) {
  const work = mkdtempSync(join(tmpdir(), 'rampart-fuzz-'));
  mkdirSync(join(work, 'seeds'));
  const seeds = corpus(join(work, 'seeds'));
  const pendingChunks: number[][] = [];
  for (let i = o.first; i < o.first + o.count; i += CHUNK) pendingChunks.push(Array.from({ length: Math.min(CHUNK, o.first + o.count - i) }, (_, k) => i + k));
  const results: MutantResult[] = [];
  const findings: Finding[] = [];
  const started = Date.now();
  /** Mutants that ended with their worker (hang, memory, crash): counted, with no result. */
  let killed = 0;
  let slotsAlive = 0;
  /** Rebuilds mutant `index` into out/fuzz/mutant-<index>/; returns where it came from. */
  const save = (index: number): { seed?: string; kinds?: string[] } => {
    try {
      const r = makeRand(o.seed, index);
      const seedFile = seeds[r.int(seeds.length)];
      const m = mutate(readFileSync(seedFile), r);
      const d = join(ROOT, 'out', 'fuzz', `mutant-${index}`);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'm.onnx'), m.bytes);
      for (const [name, b] of Object.entries(m.sidecars)) writeFileSync(join(d, name), b);
      return { seed: relative(ROOT, seedFile), kinds: m.kinds };
    } catch (e) {
      process.stderr.write(`fuzz: could not rebuild mutant ${index}: ${(e as Error).message}\n`);
      return {};
    }
  };

  await new Promise<void>((resolve) => {
    const job = (indices: number[]): Job => ({ seed: o.seed, corpus: seeds, indices, maxMemory: String(o.maxMemory), dir: '' });
    const launch = (queue: number[]) => {
      const dir = mkdtempSync(join(work, 'w-'));
      const proc = spawn(process.execPath, ['--import', 'tsx', '--max-old-space-size=1024', WORKER], {
        cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      slotsAlive++;
      const slot: Slot = { proc, current: null, stage: '', since: Date.now(), cpuSince: 0, queue, stderr: '', peak: 0 };
      proc.stderr!.on('data', (d) => { slot.stderr = (slot.stderr + String(d)).slice(-4000); });
      const next = () => {
        if (slot.queue.length === 0) {
          const c = Date.now() - started > o.timeLimitMs ? undefined : pendingChunks.shift();
          if (!c) { proc.kill('SIGKILL'); return; }
          slot.queue = c;
        }
        proc.send({ ...job(slot.queue), dir });
      };
      proc.on('message', (msg: ToParent) => {
        if (msg.type === 'ready') next();
        else if (msg.type === 'stage') slot.stage = msg.stage;
        else if (msg.type === 'start') { slot.current = msg.index; slot.since = Date.now(); slot.cpuSince = cpuOf(proc.pid!); slot.peak = 0; }
        else if (msg.type === 'result') {
          const r = msg.result;
          results.push({ ...r, rss: Math.max(r.rss, slot.peak) });
          slot.queue = slot.queue.filter((i) => i !== r.index);
          slot.current = null;
          for (const stage of ['load', 'runtime', 'cli'] as const) {
            if (r[stage].outcome === 'internal') {
              findings.push({ index: r.index, kind: 'internal', stage, seed: relative(ROOT, r.seed), kinds: r.kinds, detail: r[stage].detail ?? '', argv: stage === 'cli' ? r.cli.argv : undefined });
              save(r.index);
            }
          }
          if (results.length % 500 === 0) process.stderr.write(`fuzz: ${results.length} mutants, ${findings.length} findings, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
          // A worker that has grown (wasm memory never shrinks) is replaced between chunks.
          if (r.rss > o.maxRss / 2 && slot.queue.length > 0) { proc.kill('SIGKILL'); }
        } else if (msg.type === 'done') next();
      });
      proc.on('exit', (code, signal) => {
        slotsAlive--;
        clearInterval(watch);
        const cur = slot.current;
        if (cur !== null) {
          killed++;
          const oom = /heap out of memory|Allocation failed/.test(slot.stderr);
          findings.push({ index: cur, kind: oom ? 'oom' : 'crash', stage: slot.stage, ...save(cur), detail: `worker exit ${code ?? signal}: ${slot.stderr.split('\n').slice(-6).join('\n')}` });
        }
        const rest = slot.queue.filter((i) => i !== cur);
        if (rest.length > 0 || (pendingChunks.length > 0 && Date.now() - started <= o.timeLimitMs)) launch(rest);
        else if (slotsAlive === 0) resolve();
      });
      const watch = setInterval(() => {
        if (slot.current === null) return;
        const rss = rssOf(proc.pid!);
        slot.peak = Math.max(slot.peak, rss);
        // The bound is the mutant's own CPU time (other work on a shared machine does not count
        // against it), with the wall clock as a backstop for a worker that waits on nothing.
        const cpu = cpuOf(proc.pid!) - slot.cpuSince, wall = Date.now() - slot.since;
        const late = cpu * 1000 > o.timeoutMs || wall > WALL_FACTOR * o.timeoutMs;
        if (late || rss > o.maxRss) {
          const kind = late ? 'hang' : 'oom';
          findings.push({
            index: slot.current, kind, stage: slot.stage, ...save(slot.current),
            detail: late ? `no result after ${cpu.toFixed(1)} s of CPU (${(wall / 1000).toFixed(1)} s of wall clock)` : `RSS ${(rss / 2 ** 20).toFixed(0)} MiB over the ${(o.maxRss / 2 ** 20).toFixed(0)} MiB watch`,
          });
          slot.queue = slot.queue.filter((i) => i !== slot.current);
          slot.current = null;
          killed++;
          proc.kill('SIGKILL');
        }
      }, 50);
    };
    for (let w = 0; w < o.workers; w++) launch([]);
  });
  rmSync(work, { recursive: true, force: true });
  const unrun = pendingChunks.reduce((n, c) => n + c.length, 0);
  return { results, findings, killed, unrun, seconds: (Date.now() - started) / 1000, seeds };
}

// ---- the report -------------------------------------------------------------------

function summarise(results: MutantResult[]) {
  const by = (stage: 'load' | 'runtime' | 'cli') => {
    const c: Record<Outcome, number> = { ok: 0, refused: 0, internal: 0, skipped: 0 };
    for (const r of results) c[r[stage].outcome]++;
    return c;
  };
  // One validation: a file the compiler's loader refuses should not get a runtime session.
  const runtimeAcceptsLoaderRefuses = results.filter((r) => r.load.outcome === 'refused' && (r.runtime.outcome === 'ok' || r.runtime.outcome === 'skipped'));
  const reasons = new Map<string, number>();
  for (const r of runtimeAcceptsLoaderRefuses) {
    const why = (r.load.detail ?? '').replace(/^[^:]*: /, '').replace(/'[^']*'/g, "'…'").replace(/\d+/g, 'N').slice(0, 80);
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const cpu = results.map((r) => r.cpuMs).sort((a, b) => a - b);
  return {
    mutants: results.length,
    stages: { load: by('load'), runtime: by('runtime'), cli: by('cli') },
    runtimeAcceptsLoaderRefuses: runtimeAcceptsLoaderRefuses.length,
    loaderOnlyReasons: [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([reason, count]) => ({ reason, count })),
    msMedian: ms[ms.length >> 1] ?? 0, msMax: ms[ms.length - 1] ?? 0, cpuMsMax: cpu[cpu.length - 1] ?? 0,
    peakRssMiB: Math.max(0, ...results.map((r) => r.rss)) / 2 ** 20,
    kinds: Object.fromEntries([...results.reduce((m, r) => { for (const k of r.kinds) m.set(k, (m.get(k) ?? 0) + 1); return m; }, new Map<string, number>())].sort()),
  };
}

function markdown(doc: ReturnType<typeof summarise> & { findings: Finding[]; hangs: number; ooms: number; internal: number; seconds: number; unrun: number; options: Record<string, unknown>; conditions: ReturnType<typeof conditions> }): string {
  const s = doc.stages;
  const row = (name: string, c: Record<Outcome, number>) => `| ${name} | ${c.ok} | ${c.refused} | ${c.skipped} | ${c.internal} |`;
  return [
    '# Fuzz: mutated ONNX files through load, run and the CLI',
    '',
    `${doc.mutants} mutants (seed ${doc.options.seed}) in ${doc.seconds.toFixed(0)} s on ${doc.options.workers} workers; ` +
      `${doc.conditions.cpu}, ${doc.conditions.cores} cores, load ${doc.conditions.loadAverage.toFixed(1)}, node ${doc.conditions.node}, ${doc.conditions.date.slice(0, 10)}.`,
    ...(doc.unrun ? [`**Stopped at the time limit: ${doc.unrun} mutants not run.**`] : []),
    `Memory limit (--max-memory) ${doc.options.maxMemory}, RSS watch ${doc.options.maxRssMiB} MiB, timeout ${doc.options.timeoutS} s of CPU (${WALL_FACTOR * Number(doc.options.timeoutS)} s of wall clock) per mutant.`,
    '',
    `**Internal errors: ${doc.internal}. Hangs over ${doc.options.timeoutS} s: ${doc.hangs}. Runs over the memory watch: ${doc.ooms}.**`,
    '',
    '| stage | ok | RampartError | skipped | internal |',
    '|---|---|---|---|---|',
    row('load (compiler loader)', s.load), row('runtime (create + run)', s.runtime), row('CLI (one command)', s.cli),
    '',
    `Per mutant: median ${doc.msMedian.toFixed(0)} ms, slowest ${doc.msMax.toFixed(0)} ms of wall clock, most CPU ${doc.cpuMsMax.toFixed(0)} ms; worker peak RSS ${doc.peakRssMiB.toFixed(0)} MiB.`,
    `Files the compiler's loader refuses but a runtime session accepts: ${doc.runtimeAcceptsLoaderRefuses} (shape inference runs in the loader only).`,
    '',
    doc.findings.length ? '## Findings\n\n' + doc.findings.map((f) => `- mutant ${f.index} (${f.kind}, ${f.stage}${f.seed ? `, from ${f.seed} by ${f.kinds?.join('+')}` : ''}): ${f.detail.split('\n')[0]}`).join('\n') : 'No findings.',
    '',
    'Stages: the compiler\'s loader (`loadModel`: decode, validate, infer shapes); a runtime session from the file on the reference, wasm and js',
    'backends in turn, run on seeded inputs at the declared shapes (skipped past 2^20 input elements: the fuzz is after the model\'s',
    'allocations, not the harness\'s); one CLI command in-process (inspect, run, analyze, compile to onnx-csr / onnx-sparse / c, eval),',
    'where exit 70, or an exit 1 whose message is not one line, is an internal error.',
    '',
    'The bench runs at a 256M limit, not the product\'s 1G: the budget works the same, and the smaller one keeps the',
    'runs short and their memory far from the watch. At 1G, mutants of the million-step GRU fixture',
    '(test/fixtures/fuzz/c-target-million-steps.onnx) fit the limit and `compile --target c` runs its fixed-shape reference',
    'pass for about a minute: long by declaration, not a loop, but over the 10 s bound.',
    '',
    'Rebuild and rerun a mutant: `npm run bench -- fuzz --only N` (writes out/fuzz/mutant-N/).',
    '',
  ].join('\n');
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args, options: {
      count: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' }, workers: { type: 'string', default: '2' },
      timeout: { type: 'string', default: '10' }, 'max-memory': { type: 'string', default: '256M' }, 'max-rss': { type: 'string', default: '1536' },
      'time-limit': { type: 'string', default: '1200' }, first: { type: 'string', default: '0' }, only: { type: 'string' },
      out: { type: 'string', default: join(ROOT, 'bench/results') },
    },
  });
  const seed = Number(values.seed);
  const maxMemory = parseMemorySize(values['max-memory']!);
  if (values.only) {
    const { runMutant } = await import('./fuzz/worker.ts');
    const work = mkdtempSync(join(tmpdir(), 'rampart-fuzz-'));
    mkdirSync(join(work, 'seeds'));
    const seeds = corpus(join(work, 'seeds'));
    for (const i of values.only.split(',').map(Number)) {
      const d = join(ROOT, 'out', 'fuzz', `mutant-${i}`);
      mkdirSync(d, { recursive: true });
      const r = await runMutant({ seed, corpus: seeds, maxMemory: String(maxMemory), dir: d }, i);
      process.stdout.write(JSON.stringify(r, null, 1) + '\n');
    }
    rmSync(work, { recursive: true, force: true });
    return;
  }
  const o = {
    count: Number(values.count), seed, workers: Number(values.workers), timeoutMs: Number(values.timeout) * 1000,
    maxMemory, maxRss: Number(values['max-rss']) * 2 ** 20, timeLimitMs: Number(values['time-limit']) * 1000, first: Number(values.first),
  };
  const { results, findings, killed, unrun, seconds } = await fuzz(o);
  const summary = { ...summarise(results), mutants: results.length + killed };
  const doc = {
    ...summary,
    internal: findings.filter((f) => f.kind === 'internal' || f.kind === 'crash').length,
    hangs: findings.filter((f) => f.kind === 'hang').length,
    ooms: findings.filter((f) => f.kind === 'oom').length,
    findings, seconds, unrun,
    options: { seed, workers: o.workers, timeoutS: o.timeoutMs / 1000, maxMemory: values['max-memory'], maxRssMiB: o.maxRss / 2 ** 20, count: o.count },
    conditions: conditions(),
  };
  mkdirSync(values.out!, { recursive: true });
  writeJson(join(values.out!, 'fuzz.json'), doc);
  writeFileAtomic(join(values.out!, 'fuzz.md'), markdown(doc));
  process.stdout.write(markdown(doc));
}

