// Host I/O in the browser (replaces host.ts in the browser bundle, see
// scripts/build-browser.mjs): everything is fetched. The kernel module is expected
// beside the bundle (the build copies it there); pass `wasm` in the session options
// to load it from elsewhere.
import type { Model } from './ir.ts';
import { RampartError } from './errors.ts';
import { decodeModel } from './onnx/decode.ts';

export function defaultKernelUrl(): URL {
  return new URL('./kernels.wasm', import.meta.url);
}

/** Fetches a URL (relative ones against the page). */
export async function readBytes(where: string | URL): Promise<Uint8Array> {
  const res = await fetch(where);
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${String(where)}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * Fetches a model by URL (relative to the page). External data would need a
 * synchronous read in the middle of decoding, which fetch cannot give: such a model
 * is refused; fetch its bytes and inline the data first.
 */
export async function loadModelFile(path: string, opts: { maxMemory?: number } = {}): Promise<Model> {
  let bytes: Uint8Array;
  try {
    bytes = await readBytes(path);
  } catch (e) {
    throw new RampartError(`cannot fetch the model`, { file: path, expected: 'a reachable model URL' }, { cause: e });
  }
  return decodeModel(bytes, {
    file: path,
    maxMemory: opts.maxMemory,
    externalData: (location: string) => {
      throw new RampartError(`external data '${location}' cannot be read in the browser`, {
        file: path, expected: 'a model with its weights inline',
      });
    },
  });
}
