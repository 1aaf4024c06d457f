// `npm run bench -- <name> [args]`: runs bench/<name>.ts's run(args).
//   runtime    batch-1 latency of Rampart's js/wasm backends vs onnxruntime-node/-web
//   crossover  the dense/CSR crossover density the runtime cites
//   spectral   spectral-analysis timings (engineer D)
const BENCHES: Record<string, () => Promise<{ run: (args: string[]) => Promise<void> | void }>> = {
  runtime: () => import('./runtime.ts'),
  crossover: () => import('./crossover.ts'),
  spectral: () => import('./spectral.ts') as unknown as Promise<{ run: (args: string[]) => Promise<void> | void }>,
};

const [name, ...args] = process.argv.slice(2);
if (!name || !(name in BENCHES)) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [args]`);
  process.exit(2);
}
const mod = await BENCHES[name]();
await mod.run(args);
