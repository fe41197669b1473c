/** Reading a tensor file whose format is known only from its first bytes (a PyTorch zip or legacy checkpoint, or safetensors). */
import { readFileSync } from 'node:fs';
import { parsePthObject } from './pth.js';
import { parseSafetensors } from './safetensors.js';
import type { StateDict } from './raw.js';

/** First bytes of a zip archive (PyTorch ≥ 1.6 checkpoints). */
const ZIP_MAGIC = [0x50, 0x4b];
/** First byte of a legacy (pre-1.6, pickle-stream) PyTorch checkpoint. */
const PICKLE_PROTO = 0x80;
/** Bytes of the little-endian header length that starts a safetensors file, followed by its JSON '{'. */
const SAFETENSORS_LENGTH_BYTES = 8;
const JSON_OPEN_BRACE = 0x7b;

/** A tensor file's contents: a PyTorch checkpoint's object tree, or a safetensors state dict. */
export type TensorFile =
  | { format: 'pth'; object: unknown }
  | { format: 'safetensors'; tensors: StateDict; metadata: Record<string, string> };

/**
 * Reads a PyTorch checkpoint (`.pth`, `.pt`, `.bin`: a zip holding a pickle) or a safetensors
 * file, recognized by its first bytes.
 * @throws Error naming `path` when it cannot be read, is truncated, or is neither format.
 */
export function readTensorFile(path: string): TensorFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`${path}: cannot read file (${(err as Error).message})`, { cause: err });
  }
  if (ZIP_MAGIC.every((b, i) => bytes[i] === b) || bytes[0] === PICKLE_PROTO) return { format: 'pth', object: parsePthObject(bytes, path) };
  if (path.endsWith('.safetensors') || bytes[SAFETENSORS_LENGTH_BYTES] === JSON_OPEN_BRACE)
    return { format: 'safetensors', ...parseSafetensors(bytes, path) };
  throw new Error(`${path}: neither a PyTorch .pth checkpoint (zip) nor a safetensors file (${bytes.byteLength} bytes)`);
}
