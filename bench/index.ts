// `npm run bench -- <name> [args]`: runs bench/<name>.ts's run(args).
//   runtime    batch-1 latency of Rampart's js/wasm backends vs onnxruntime-node/-web
//   crossover  what each weight format costs (dense, CSR, BSR), the constants the runtime cites
//   bsr-lstm   the zoo LSTM block-pruned: latency vs onnxruntime-node/-web, where a run goes
//   spectral   spectral-analysis timings against the targets
//   sweep      accuracy vs sparsity with and without the guard, W and R separately
//   evidence   the zoo-wide pruning evidence (docs/EVIDENCE.md)
//   train      tfjs training-step timings of the lowering
//   fuzz       10,000 seeded mutants of the fixtures and zoo through load, run and the CLI
type Bench = { run: (args: string[]) => unknown };

const BENCHES: Record<string, () => Promise<Bench>> = {
  runtime: () => import('./runtime.ts'),
  crossover: () => import('./crossover.ts'),
  'bsr-lstm': () => import('./bsr-lstm.ts'),
  spectral: () => import('./spectral.ts'),
  sweep: () => import('./sweep.ts'),
  evidence: () => import('./evidence.ts'),
  train: () => import('./train.ts'),
  fuzz: () => import('./fuzz.ts'),
};

const [name, ...args] = process.argv.slice(2);
if (!name || !(name in BENCHES)) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [args]`);
  process.exit(2);
}
const mod = await BENCHES[name]();
await mod.run(args);
