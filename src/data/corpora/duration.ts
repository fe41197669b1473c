/**
 * Cheap audio durations: WAV and FLAC durations come from their headers (a few hundred bytes
 * read), other formats are decoded as a fallback.
 */
import { open, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { decodeAudio, durationSeconds } from '../../audio/index.js';
import type { Utterance } from './types.js';

/** Files whose headers are read concurrently by {@link fillDurations}. */
export const DURATION_READ_CONCURRENCY = 16;
/** Bytes of a RIFF header ('RIFF', size, 'WAVE'). */
const RIFF_HEADER_BYTES = 12;
/** Bytes of a RIFF chunk header (id, size). */
const CHUNK_HEADER_BYTES = 8;
/** Bytes of a FLAC metadata block header. */
const FLAC_BLOCK_HEADER_BYTES = 4;
/** Bytes of the FLAC STREAMINFO block body. */
const FLAC_STREAMINFO_BYTES = 34;
/** Bytes of an ID3v2 tag header (some FLAC files start with one). */
const ID3V2_HEADER_BYTES = 10;
/** Sizes meaning "unknown" in a streamed WAV's 'data' chunk header. */
const WAV_UNKNOWN_SIZES = [0, 0xffffffff];
/** WAVE_FORMAT_EXTENSIBLE format tag. */
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

function ascii(b: Uint8Array, o: number, n: number): string {
  return String.fromCharCode(...b.subarray(o, o + n));
}

type Handle = Awaited<ReturnType<typeof open>>;

async function readAt(h: Handle, position: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  const { bytesRead } = await h.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** Duration of a PCM/float WAV from its 'fmt ' and 'data' chunk headers; null when it cannot tell. */
async function wavDurationS(h: Handle, fileBytes: number): Promise<number | null> {
  const head = await readAt(h, 0, RIFF_HEADER_BYTES);
  if (head.length < RIFF_HEADER_BYTES || ascii(head, 0, 4) !== 'RIFF' || ascii(head, 8, 4) !== 'WAVE') return null;
  let pos = RIFF_HEADER_BYTES;
  let byteRate = 0;
  let blockAlign = 0;
  let formatTag = 0;
  while (pos + CHUNK_HEADER_BYTES <= fileBytes) {
    const ch = await readAt(h, pos, CHUNK_HEADER_BYTES);
    if (ch.length < CHUNK_HEADER_BYTES) return null;
    const dv = new DataView(ch.buffer, ch.byteOffset, ch.byteLength);
    const id = ascii(ch, 0, 4);
    const size = dv.getUint32(4, true);
    const body = pos + CHUNK_HEADER_BYTES;
    if (id === 'fmt ') {
      const fmt = await readAt(h, body, 16);
      if (fmt.length < 16) return null;
      const fv = new DataView(fmt.buffer, fmt.byteOffset, fmt.byteLength);
      formatTag = fv.getUint16(0, true);
      byteRate = fv.getUint32(8, true);
      blockAlign = fv.getUint16(12, true);
    } else if (id === 'data') {
      // Only uncompressed PCM / float (or their EXTENSIBLE form) have a fixed byte rate.
      const uncompressed = formatTag === 1 || formatTag === 3 || formatTag === WAVE_FORMAT_EXTENSIBLE;
      if (!uncompressed || byteRate === 0 || blockAlign === 0) return null;
      const available = fileBytes - body;
      const bytes = WAV_UNKNOWN_SIZES.includes(size) ? available : Math.min(size, available);
      return (Math.floor(bytes / blockAlign) * blockAlign) / byteRate;
    }
    pos = body + size + (size & 1);
  }
  return null;
}

/** Duration from FLAC STREAMINFO (total samples / sample rate); null when the total is unknown. */
async function flacDurationS(h: Handle): Promise<number | null> {
  const id3 = await readAt(h, 0, ID3V2_HEADER_BYTES);
  let start = 0;
  if (id3.length === ID3V2_HEADER_BYTES && ascii(id3, 0, 3) === 'ID3') {
    const size = ((id3[6] & 0x7f) << 21) | ((id3[7] & 0x7f) << 14) | ((id3[8] & 0x7f) << 7) | (id3[9] & 0x7f);
    start = ID3V2_HEADER_BYTES + size + (id3[5] & 0x10 ? ID3V2_HEADER_BYTES : 0);
  }
  const b = await readAt(h, start, 4 + FLAC_BLOCK_HEADER_BYTES + FLAC_STREAMINFO_BYTES);
  if (b.length < 4 + FLAC_BLOCK_HEADER_BYTES + FLAC_STREAMINFO_BYTES || ascii(b, 0, 4) !== 'fLaC') return null;
  if ((b[4] & 0x7f) !== 0) return null; // first block must be STREAMINFO
  const s = 4 + FLAC_BLOCK_HEADER_BYTES;
  // STREAMINFO bytes 10..17: 20 bits sample rate, 3 bits channels−1, 5 bits bps−1, 36 bits total samples.
  const sampleRateHz = (b[s + 10] << 12) | (b[s + 11] << 4) | (b[s + 12] >> 4);
  const totalSamples = (b[s + 13] & 0x0f) * 2 ** 32 + ((b[s + 14] << 24) >>> 0) + (b[s + 15] << 16) + (b[s + 16] << 8) + b[s + 17];
  if (sampleRateHz === 0 || totalSamples === 0) return null;
  return totalSamples / sampleRateHz;
}

/**
 * Duration of an audio file in seconds. WAV (PCM/float) and FLAC are measured from their
 * headers; anything else (MP3, Ogg, compressed WAV, FLAC without a sample count) is decoded.
 *
 * @throws Error naming the file when it cannot be read or decoded.
 */
export async function audioDurationS(path: string): Promise<number> {
  const ext = extname(path).toLowerCase();
  if (ext === '.wav' || ext === '.flac') {
    let h: Handle;
    try {
      h = await open(path, 'r');
    } catch (err) {
      throw new Error(`${path}: cannot open audio file to read its duration (${(err as Error).message})`, { cause: err });
    }
    try {
      const { size } = await h.stat();
      const d = ext === '.wav' ? await wavDurationS(h, size) : await flacDurationS(h);
      if (d !== null) return d;
    } finally {
      await h.close();
    }
  }
  const bytes = await readFile(path);
  return durationSeconds(await decodeAudio(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path));
}

/**
 * Sets `durationS` on every utterance (in place) from its audio file, at most
 * `concurrency` files at a time.
 * @returns the same array.
 */
export async function fillDurations(utterances: Utterance[], concurrency = DURATION_READ_CONCURRENCY): Promise<Utterance[]> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < utterances.length) {
      const u = utterances[next++];
      u.durationS = await audioDurationS(u.path);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, utterances.length)) }, worker));
  return utterances;
}
