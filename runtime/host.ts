// Host I/O of the runtime: where the WASM kernels live and how bytes are read, and
// loading a model file with its external data. This is the node (and default)
// version; the browser bundle (scripts/build-browser.mjs) swaps this module for
// host.browser.ts, so the bundle carries no node: import at all. The node modules
// are imported dynamically, so merely loading the runtime needs none of them.
import type { Model } from './ir.ts';
import { decodeModel } from './onnx/decode.ts';
import { externalDataReader } from './external-data.ts';

/** The kernel module built by runtime/wasm/build.mjs. */
export function defaultKernelUrl(): URL {
  return new URL('./wasm/build/kernels.wasm', import.meta.url);
}

/** Reads a file path or a URL (file: from disk; anything else fetched). */
export async function readBytes(where: string | URL): Promise<Uint8Array> {
  // A scheme of two letters or more: 'C:\\x' is a Windows path, not a URL.
  const url = where instanceof URL ? where : /^[a-z][a-z0-9+.-]+:/i.test(where) ? new URL(where) : null;
  if ((url === null || url.protocol === 'file:') && typeof process !== 'undefined' && process.versions?.node) {
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(url ?? where));
  }
  const res = await fetch(where);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Reads a model file and its external data (relative to the model, never escaping its folder). */
export async function loadModelFile(path: string, opts: { maxMemory?: number } = {}): Promise<Model> {
  const fs = await import('node:fs');
  const p = await import('node:path');
  const bytes = fs.readFileSync(path);
  return decodeModel(bytes, { file: path, externalData: externalDataReader(path, fs, p), maxMemory: opts.maxMemory });
}
