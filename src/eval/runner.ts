// One interface over the four ways Rampart can run a model, so `run`, `eval` and
// evaluateAccuracy do not care which executes it:
//   reference  executeModel + referenceKernels (the slow, obviously correct oracle)
//   ort        onnxruntime-node (the baseline)
//   js, wasm   Rampart's sparse runtime, runtime/index.ts InferenceSession
//   c, wasm-module, cortex-m4, ...  a compiled target run as a runtime (target-runner.ts)
import type { Model, Tensor } from '../../runtime/ir.ts';
import { onnxOpset } from '../../runtime/ir.ts';
import { RampartError, withContext } from '../../runtime/errors.ts';
import { executeModel } from '../../runtime/executor.ts';
import { kernelKey, type KernelTable } from '../../runtime/ops/types.ts';
import { fromOrt, toOrt } from './ort-tensor.ts';
import { TARGET_RUNTIMES, targetRunner } from './target-runner.ts';

/** The interpreters, then the compiled targets run as runtimes (target-runner.ts). */
export const RUNTIMES = ['reference', 'ort', 'js', 'wasm', ...TARGET_RUNTIMES] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

export interface Runner {
  runtime: RuntimeName;
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  close(): Promise<void>;
}

export interface RunnerSource {
  model: Model;
  /** The model file, when there is one: ort loads it itself (external data included); errors name it. */
  path?: string;
}

export function parseRuntime(s: string): RuntimeName {
  if (!(RUNTIMES as readonly string[]).includes(s)) {
    throw new RampartError(`unknown runtime '${s}'`, { expected: RUNTIMES.join(', ') });
  }
  return s as RuntimeName;
}

export async function createRunner(src: RunnerSource, runtime: RuntimeName): Promise<Runner> {
  switch (parseRuntime(runtime)) {
    case 'reference': return referenceRunner(src);
    case 'ort': return ortRunner(src);
    case 'js': return sparseRunner(src, 'js');
    case 'wasm': return sparseRunner(src, 'wasm');
    default: return targetRunner(src, runtime as (typeof TARGET_RUNTIMES)[number]);
  }
}

/** Nodes the reference kernel table cannot run, checked before any work starts. */
export function unsupportedNodes(model: Model, table: KernelTable): { name: string; op: string; domain: string }[] {
  const local = new Set(model.functions.map((f) => `${f.domain}::${f.name}`));
  return model.graph.nodes
    .filter((n) => !table[kernelKey(n.domain, n.op)] && !local.has(`${n.domain}::${n.op}`))
    .map((n) => ({ name: n.name, op: n.op, domain: n.domain }));
}

async function referenceRunner(src: RunnerSource): Promise<Runner> {
  const { referenceKernels } = (await import('../../runtime/ops/index.ts')) as { referenceKernels: KernelTable };
  const bad = unsupportedNodes(src.model, referenceKernels);
  if (bad.length > 0) {
    const b = bad[0];
    const op = b.domain ? `${b.domain}::${b.op}` : b.op;
    const more = bad.length > 1 ? ` (and ${bad.length - 1} more: ${[...new Set(bad.slice(1).map((x) => x.op))].join(', ')})` : '';
    throw new RampartError(`unsupported operator ${op}${more}`, {
      file: src.path, node: b.name, op: b.op,
      expected: 'an op of the supported set (`rampart inspect` flags the others)',
    });
  }
  const ctx = { opset: onnxOpset(src.model), file: src.path };
  return {
    runtime: 'reference',
    run: async (feeds) => executeModel(src.model, feeds, referenceKernels, ctx),
    close: async () => {},
  };
}

async function ortRunner(src: RunnerSource): Promise<Runner> {
  const ort = await import('onnxruntime-node');
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    if (src.path !== undefined) {
      session = await ort.InferenceSession.create(src.path);
    } else {
      const { encodeModel } = (await import('../onnx/export.ts')) as { encodeModel: (m: Model) => Uint8Array };
      session = await ort.InferenceSession.create(encodeModel(src.model));
    }
  } catch (e) {
    throw new RampartError(`onnxruntime cannot load the model: ${firstLine(e)}`, { file: src.path });
  }
  return {
    runtime: 'ort',
    run: async (feeds) => {
      const ortFeeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
      for (const [k, t] of Object.entries(feeds)) {
        // onnxruntime-node 1.30 aborts the whole process (SIGABRT) on an empty input to
        // a recurrent op, rather than throwing: refuse it while we still can say why.
        if (t.dims.includes(0)) {
          throw new RampartError(`input '${k}' is empty (${t.dtype} [${t.dims.join(',')}])`, {
            file: src.path, expected: "a non-empty input for onnxruntime, which aborts on empty ones (the 'reference', 'js' and 'wasm' runtimes take them)",
          });
        }
        ortFeeds[k] = toOrt(ort.Tensor, t);
      }
      let out: Record<string, unknown>;
      try {
        out = await session.run(ortFeeds);
      } catch (e) {
        throw new RampartError(`onnxruntime failed: ${firstLine(e)}`, { file: src.path });
      }
      const res: Record<string, Tensor> = {};
      for (const name of session.outputNames) res[name] = fromOrt(out[name] as Parameters<typeof fromOrt>[0], name);
      return res;
    },
    close: () => session.release(),
  };
}

async function sparseRunner(src: RunnerSource, backend: 'js' | 'wasm'): Promise<Runner> {
  // Loaded lazily: the wasm backend instantiates its module, which `reference`/`ort` runs need not pay for.
  const { InferenceSession } = await import('../../runtime/index.ts');
  let session: Awaited<ReturnType<typeof InferenceSession.fromModel>>;
  try {
    session = await InferenceSession.fromModel(src.model, { backend, file: src.path });
  } catch (e) {
    throw withContext(e, { file: src.path });
  }
  return {
    runtime: backend,
    run: async (feeds) => {
      const out = await session.run(feeds);
      const res: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(out)) res[k] = { dtype: v.dtype, dims: v.dims.slice(), data: v.data };
      return res;
    },
    close: async () => {},
  };
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
