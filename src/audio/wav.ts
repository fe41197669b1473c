/**
 * RIFF/WAVE parser for PCM and IEEE-float data.
 *
 * Why not audio-decode's WAV decoder (`@audio/decode-wav` 1.5) for these files:
 *  - it scales integer PCM asymmetrically (negative codes by 2^-(bits-1), positive codes by
 *    1/(2^(bits-1) − 1)), whereas libsndfile, SoX, torchaudio and soundfile all divide by
 *    2^(bits-1). Reference features and logits computed in Python are bit-for-bit
 *    reproducible only with the conventional scaling used here;
 *  - it skips chunks without the RIFF pad byte, so an odd-sized chunk (e.g. `LIST`) before
 *    `data` derails parsing;
 *  - it silently decodes whatever part of a truncated `data` chunk is present, and accepts
 *    NaN/Inf float samples; here both are errors that name the file.
 * G.711 A-law/µ-law and MS/IMA ADPCM WAVs, which that package does decode, are still handed
 * to it by `decode.ts` (see {@link WavInfo.delegate}).
 */
import { checkSampleRate, type Audio } from './buffer.js';
import { AudioError } from './errors.js';

/** WAVE format tags (the `wFormatTag` field of the `fmt ` chunk). */
const WAVE_FORMAT = {
  PCM: 0x0001,
  MS_ADPCM: 0x0002,
  IEEE_FLOAT: 0x0003,
  ALAW: 0x0006,
  MULAW: 0x0007,
  IMA_ADPCM: 0x0011,
  EXTENSIBLE: 0xfffe,
} as const;

/** Names for format tags, so errors say what the file holds. */
const FORMAT_NAMES: Record<number, string> = {
  0: 'unknown',
  2: 'MS ADPCM',
  6: 'A-law',
  7: 'µ-law',
  17: 'IMA ADPCM',
  34: 'TrueSpeech',
  49: 'GSM 6.10',
  64: 'G.721 ADPCM',
  80: 'MPEG-1 Layer I/II',
  85: 'MPEG Layer III (MP3 inside WAV)',
  255: 'AAC',
  353: 'WMA',
  5648: 'HE-AAC',
  8192: 'AC-3',
  26447: 'Ogg Vorbis',
  61868: 'FLAC',
};

/** Tags audio-decode handles correctly and that we therefore delegate to it. */
const DELEGATED_TAGS: ReadonlySet<number> = new Set([WAVE_FORMAT.ALAW, WAVE_FORMAT.MULAW, WAVE_FORMAT.MS_ADPCM, WAVE_FORMAT.IMA_ADPCM]);

/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID that wraps a plain format tag. */
const KSDATAFORMAT_GUID_SUFFIX = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/** `data` chunk sizes used as "unknown length, read to end of file" by streaming writers. */
const DATA_SIZE_UNKNOWN = [0, 0xffffffff];

/** Minimum `fmt ` chunk body size (WAVEFORMAT + wBitsPerSample). */
const FMT_MIN_BYTES = 16;
/** `fmt ` body size of WAVEFORMATEXTENSIBLE (WAVEFORMATEX + 22 bytes of extension). */
const FMT_EXTENSIBLE_BYTES = 40;
/** RIFF header: "RIFF", size, "WAVE". */
const RIFF_HEADER_BYTES = 12;
/** Chunk header: 4-byte id + 4-byte little-endian size. */
const CHUNK_HEADER_BYTES = 8;

/** What the header of a WAV file says. */
export interface WavInfo {
  /** Effective format tag (the sub-format for WAVE_FORMAT_EXTENSIBLE). */
  formatTag: number;
  channels: number;
  sampleRateHz: number;
  /** Container bits per sample (8·blockAlign/channels for PCM/float). */
  bitsPerSample: number;
  /** Bytes per frame (all channels). */
  blockAlign: number;
  /** Byte offset of the sample data in the file. */
  dataOffset: number;
  /** Byte length of the sample data (after resolving "unknown" sizes). */
  dataBytes: number;
  /** True when the codec is one audio-decode decodes and we do not (G.711, ADPCM). */
  delegate: boolean;
}

function fourcc(b: Uint8Array, o: number): string {
  return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3]);
}

/** True when the bytes start with a RIFF/WAVE (or RIFX/RF64 WAVE) header. */
export function looksLikeWav(b: Uint8Array): boolean {
  if (b.length < RIFF_HEADER_BYTES) return false;
  const id = fourcc(b, 0);
  return (id === 'RIFF' || id === 'RIFX' || id === 'RF64') && fourcc(b, 8) === 'WAVE';
}

function formatName(tag: number): string {
  const name = FORMAT_NAMES[tag];
  return `0x${tag.toString(16).padStart(4, '0')}${name ? ` (${name})` : ''}`;
}

/**
 * Parses the RIFF chunk structure and `fmt ` chunk of a WAV file.
 *
 * @throws AudioError (`unsupported`, `corrupt`, `truncated`, `no-samples`) naming `file`.
 */
export function parseWavHeader(b: Uint8Array, file: string): WavInfo {
  if (b.length < RIFF_HEADER_BYTES) throw new AudioError(file, 'truncated', `file is ${b.length} bytes, shorter than a RIFF/WAVE header`);
  const riff = fourcc(b, 0);
  if (riff === 'RIFX') throw new AudioError(file, 'unsupported', 'big-endian RIFX WAV files are not supported');
  if (riff === 'RF64') throw new AudioError(file, 'unsupported', 'RF64 (64-bit WAV) files are not supported');
  if (riff !== 'RIFF' || fourcc(b, 8) !== 'WAVE') {
    const form = JSON.stringify(fourcc(b, 8).replace(/[^\x20-\x7e]/g, '?'));
    throw new AudioError(file, 'corrupt', `missing RIFF/WAVE header (form type ${form})`);
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);

  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes'> | null = null;
  let pos = RIFF_HEADER_BYTES;
  while (pos + CHUNK_HEADER_BYTES <= b.length) {
    const id = fourcc(b, pos);
    const size = dv.getUint32(pos + 4, true);
    const body = pos + CHUNK_HEADER_BYTES;
    if (id === 'fmt ') {
      if (body + size > b.length)
        throw new AudioError(
          file,
          'truncated',
          `file ends inside the 'fmt ' chunk (needs ${size} bytes at offset ${body}, file is ${b.length} bytes)`,
        );
      fmt = parseFmt(dv, body, size, file);
    } else if (id === 'data') {
      if (!fmt) throw new AudioError(file, 'corrupt', "'data' chunk comes before the 'fmt ' chunk");
      const available = b.length - body;
      let dataBytes: number;
      if (DATA_SIZE_UNKNOWN.includes(size)) {
        // Streaming writers leave the size unset; the data then runs to the end of the file.
        dataBytes = available;
      } else if (size > available) {
        throw new AudioError(file, 'truncated', `'data' chunk declares ${size} bytes but only ${available} are present (file truncated)`);
      } else {
        dataBytes = size;
      }
      if (!fmt.delegate && dataBytes % fmt.blockAlign !== 0) {
        const why = `'data' chunk holds ${dataBytes} bytes, not a whole number of ${fmt.blockAlign}-byte frames`;
        throw new AudioError(file, DATA_SIZE_UNKNOWN.includes(size) ? 'truncated' : 'corrupt', why);
      }
      if (dataBytes === 0) throw new AudioError(file, 'no-samples', "'data' chunk is empty (zero samples)");
      return { ...fmt, dataOffset: body, dataBytes };
    }
    // RIFF chunks are word aligned: an odd-sized chunk is followed by one pad byte.
    pos = body + size + (size & 1);
  }
  // Running out of chunks is truncation when the RIFF size promised more bytes (or a chunk
  // overran the file), and a malformed file otherwise.
  const riffEnd = dv.getUint32(4, true) + CHUNK_HEADER_BYTES;
  const kind = pos > b.length || riffEnd > b.length ? 'truncated' : 'corrupt';
  const size = `RIFF header promises ${riffEnd} bytes, file has ${b.length}`;
  throw new AudioError(file, kind, `no '${fmt ? 'data' : 'fmt '}' chunk before the end of the file (${size})`);
}

/** Bits per sample of each delegated codec, and the per-channel header bytes of an ADPCM block. */
const DELEGATED_BITS: Readonly<Record<number, number>> = {
  [WAVE_FORMAT.ALAW]: 8,
  [WAVE_FORMAT.MULAW]: 8,
  [WAVE_FORMAT.MS_ADPCM]: 4,
  [WAVE_FORMAT.IMA_ADPCM]: 4,
};
const ADPCM_BLOCK_HEADER_BYTES: Readonly<Record<number, number>> = { [WAVE_FORMAT.MS_ADPCM]: 7, [WAVE_FORMAT.IMA_ADPCM]: 4 };

/**
 * The delegated codecs' header fields must agree with the codec: a damaged header (say PCM's
 * tag turned into IMA ADPCM's, with PCM's 16 bits and 2-byte blocks) would otherwise make the
 * decoder expand a few kilobytes into tens of millions of samples.
 */
function checkDelegatedFormat(tag: number, channels: number, blockAlign: number, bits: number, file: string): void {
  const name = formatName(tag);
  if (bits !== DELEGATED_BITS[tag])
    throw new AudioError(file, 'corrupt', `${name} has ${DELEGATED_BITS[tag]} bits per sample, the header says ${bits}`);
  const header = ADPCM_BLOCK_HEADER_BYTES[tag];
  if (header === undefined) {
    if (blockAlign !== channels)
      throw new AudioError(file, 'corrupt', `${name} blocks are one byte per channel (${channels}), the header says ${blockAlign}`);
  } else if (blockAlign <= header * channels) {
    throw new AudioError(
      file,
      'corrupt',
      `${name} blocks of ${blockAlign} bytes cannot hold the ${header * channels}-byte block header of ${channels} channel(s)`,
    );
  }
}

/** Most samples per channel that `dataBytes` of a delegated codec can hold (ADPCM: one extra per block header). */
export function maxDelegatedSamples(info: WavInfo): number {
  const blocks = Math.ceil(info.dataBytes / info.blockAlign);
  return Math.ceil((info.dataBytes * 8) / (info.bitsPerSample * info.channels)) + blocks;
}

function parseFmt(dv: DataView, o: number, size: number, file: string): Omit<WavInfo, 'dataOffset' | 'dataBytes'> {
  if (size < FMT_MIN_BYTES) throw new AudioError(file, 'corrupt', `'fmt ' chunk is ${size} bytes, expected at least ${FMT_MIN_BYTES}`);
  let formatTag = dv.getUint16(o, true);
  const channels = dv.getUint16(o + 2, true);
  const sampleRateHz = dv.getUint32(o + 4, true);
  const blockAlign = dv.getUint16(o + 12, true);
  const declaredBits = dv.getUint16(o + 14, true);
  if (formatTag === WAVE_FORMAT.EXTENSIBLE) {
    if (size < FMT_EXTENSIBLE_BYTES)
      throw new AudioError(file, 'corrupt', `WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is ${size} bytes, expected ${FMT_EXTENSIBLE_BYTES}`);
    const guid = o + 24;
    formatTag = dv.getUint16(guid, true);
    for (let i = 0; i < KSDATAFORMAT_GUID_SUFFIX.length; i++) {
      if (dv.getUint8(guid + 2 + i) !== KSDATAFORMAT_GUID_SUFFIX[i]) {
        throw new AudioError(file, 'unsupported', 'WAVE_FORMAT_EXTENSIBLE with a non-standard SubFormat GUID');
      }
    }
  }
  if (channels < 1) throw new AudioError(file, 'corrupt', "'fmt ' chunk declares 0 channels");
  if (sampleRateHz < 1) throw new AudioError(file, 'corrupt', "'fmt ' chunk declares a sample rate of 0 Hz");
  checkSampleRate(file, sampleRateHz);
  if (blockAlign < 1) throw new AudioError(file, 'corrupt', "'fmt ' chunk declares a block size of 0 bytes");

  if (DELEGATED_TAGS.has(formatTag)) {
    checkDelegatedFormat(formatTag, channels, blockAlign, declaredBits, file);
    return { formatTag, channels, sampleRateHz, bitsPerSample: declaredBits, blockAlign, delegate: true };
  }
  if (formatTag !== WAVE_FORMAT.PCM && formatTag !== WAVE_FORMAT.IEEE_FLOAT) {
    throw new AudioError(
      file,
      'unsupported',
      `unsupported WAV codec ${formatName(formatTag)}; supported: PCM, IEEE float, A-law, µ-law, MS/IMA ADPCM`,
    );
  }
  if (blockAlign % channels !== 0)
    throw new AudioError(file, 'corrupt', `block size ${blockAlign} is not a multiple of the channel count ${channels}`);
  // The container width comes from blockAlign; wBitsPerSample may be smaller (e.g. 20 valid
  // bits in 24), and left-justified samples scale correctly by the container width.
  const bitsPerSample = (blockAlign / channels) * 8;
  if (declaredBits > bitsPerSample)
    throw new AudioError(file, 'corrupt', `${declaredBits} bits per sample do not fit in ${blockAlign / channels}-byte samples`);
  const ok = formatTag === WAVE_FORMAT.PCM ? [8, 16, 24, 32].includes(bitsPerSample) : [32, 64].includes(bitsPerSample);
  if (!ok) {
    const kind = formatTag === WAVE_FORMAT.PCM ? 'PCM' : 'float';
    throw new AudioError(file, 'unsupported', `unsupported ${kind} sample width of ${bitsPerSample} bits`);
  }
  return { formatTag, channels, sampleRateHz, bitsPerSample, blockAlign, delegate: false };
}

/**
 * Converts the sample data of a PCM or float WAV to planar float32.
 * Integer PCM is scaled by 2^-(bits-1) (8-bit: `(u − 128) / 128`), the convention of
 * libsndfile/SoX/torchaudio; float data is copied as is (NaN/Inf are checked by the caller).
 */
export function decodeWavSamples(b: Uint8Array, info: WavInfo): Audio {
  const { channels: nCh, bitsPerSample, blockAlign, dataOffset, dataBytes, formatTag } = info;
  const frames = dataBytes / blockAlign;
  const out = Array.from({ length: nCh }, () => new Float32Array(frames));
  const dv = new DataView(b.buffer, b.byteOffset + dataOffset, dataBytes);
  const bytes = bitsPerSample / 8;
  for (let c = 0; c < nCh; c++) {
    const ch = out[c];
    let p = c * bytes;
    if (formatTag === WAVE_FORMAT.IEEE_FLOAT) {
      if (bitsPerSample === 32) for (let i = 0; i < frames; i++, p += blockAlign) ch[i] = dv.getFloat32(p, true);
      else for (let i = 0; i < frames; i++, p += blockAlign) ch[i] = dv.getFloat64(p, true);
    } else if (bitsPerSample === 8) {
      for (let i = 0; i < frames; i++, p += blockAlign) ch[i] = (dv.getUint8(p) - 128) / 128;
    } else if (bitsPerSample === 16) {
      for (let i = 0; i < frames; i++, p += blockAlign) ch[i] = dv.getInt16(p, true) / 32768;
    } else if (bitsPerSample === 24) {
      for (let i = 0; i < frames; i++, p += blockAlign) {
        const v = ((dv.getUint8(p) | (dv.getUint8(p + 1) << 8) | (dv.getUint8(p + 2) << 16)) << 8) >> 8;
        ch[i] = v / 8388608;
      }
    } else {
      for (let i = 0; i < frames; i++, p += blockAlign) ch[i] = dv.getInt32(p, true) / 2147483648;
    }
  }
  return { sampleRateHz: info.sampleRateHz, channels: out };
}
