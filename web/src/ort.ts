/**
 * ONNX Runtime Web (WebAssembly backend) as the page uses it: single-threaded (a page served
 * without cross-origin isolation has no SharedArrayBuffer), no worker proxy, and the .wasm binary
 * from this server (vite.config.ts copies it from node_modules into the build), never a CDN.
 */
import * as ort from 'onnxruntime-web/wasm';

/** Folder of the copied ONNX Runtime files, relative to the page. */
const ORT_ASSET_DIR = 'ort/';

let configured = false;

/** ONNX Runtime Web set up for this page (idempotent); every session of the page is opened after it. */
export function configureOrt(): typeof ort {
  if (!configured) {
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmPaths = new URL(ORT_ASSET_DIR, document.baseURI).href;
    configured = true;
  }
  return ort;
}

/** Session options of every graph the page runs. */
export const SESSION_OPTIONS = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' } as const;

/** Opens a session on serialized ONNX bytes (errors name `label`). */
export async function createSession(bytes: Uint8Array, label: string): Promise<ort.InferenceSession> {
  configureOrt();
  try {
    return await ort.InferenceSession.create(bytes, { ...SESSION_OPTIONS, executionProviders: [...SESSION_OPTIONS.executionProviders] });
  } catch (e) {
    throw new Error(`${label}: ONNX Runtime Web cannot load the model (${(e as Error).message.split('\n')[0]})`);
  }
}

export { ort };
