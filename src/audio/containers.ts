/**
 * Container sniffing and structural checks for the compressed formats.
 *
 * audio-decode's codecs are lenient: given a truncated or damaged FLAC, Ogg or MP3 file they
 * usually return fewer samples (or none) without an error. The checks here read just enough
 * of each container to tell a complete file from a damaged one, so that such files fail
 * loudly instead of producing short or garbled audio.
 */
import { AudioError } from './errors.js';
import { looksLikeWav } from './wav.js';

/** Containers this module decodes. */
export type Container = 'wav' | 'flac' | 'ogg-vorbis' | 'ogg-opus' | 'mp3';

/** What a container's own headers promise about the decoded result. */
export interface ContainerExpectation {
  /** Sample rate the decoder must report, in Hz (undefined when not stated up front). */
  sampleRateHz?: number;
  /** Exact number of samples per channel when the container states it (FLAC STREAMINFO). */
  totalSamples?: number;
  /** Most samples per channel the stream's size allows (WAV codecs); more means a damaged stream. */
  maxSamples?: number;
  /** Integer sample width the stream was coded with (FLAC STREAMINFO). */
  bitsPerSample?: number;
  /** The container itself says it holds no audio (no FLAC frames, Ogg granule 0). */
  declaresNoAudio?: boolean;
}

const ID3V2_HEADER_BYTES = 10;
const ID3V1_TAG_BYTES = 128;
const FLAC_STREAMINFO_BYTES = 34;
const OGG_PAGE_HEADER_BYTES = 27;
const OGG_FLAG_EOS = 0x04;
const MP3_FRAME_HEADER_BYTES = 4;
/** Consecutive valid MP3 frames needed to accept an unknown file as MP3. */
const MP3_SNIFF_FRAMES = 2;

function ascii(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = 0; i < n && o + i < b.length; i++) s += String.fromCharCode(b[o + i]);
  return s;
}

/** Size of a leading ID3v2 tag (0 when there is none). */
function id3v2Size(b: Uint8Array): number {
  if (b.length < ID3V2_HEADER_BYTES || ascii(b, 0, 3) !== 'ID3') return 0;
  const syncsafe = ((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f);
  const footer = b[5] & 0x10 ? ID3V2_HEADER_BYTES : 0;
  return ID3V2_HEADER_BYTES + syncsafe + footer;
}

/** A printable preview of the first bytes, for "unknown format" messages. */
function preview(b: Uint8Array): string {
  const head = b.subarray(0, 8);
  const hex = Array.from(head, (x) => x.toString(16).padStart(2, '0')).join(' ');
  const text = Array.from(head, (x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : '.')).join('');
  return `${hex} "${text}"`;
}

/** Well-known containers we recognise but do not decode, for a precise error. */
const KNOWN_UNSUPPORTED: Array<[string, number, string]> = [
  ['FORM', 0, 'AIFF'],
  ['caff', 0, 'CAF'],
  ['ftyp', 4, 'MP4/M4A'],
  ['\x1aE\xdf\xa3', 0, 'Matroska/WebM'],
  ['wvpk', 0, 'WavPack'],
  ['MThd', 0, 'MIDI'],
  ['.snd', 0, 'Sun/NeXT AU'],
];

/**
 * Identifies the container from its first bytes.
 *
 * @throws AudioError `empty` for zero bytes, `unsupported` for anything else unrecognised.
 */
export function sniffContainer(b: Uint8Array, file: string): Container {
  if (b.length === 0) throw new AudioError(file, 'empty', 'file is empty (0 bytes)');
  if (looksLikeWav(b) || ascii(b, 0, 4) === 'RIFF' || ascii(b, 0, 4) === 'RF64') return 'wav';
  const skip = id3v2Size(b);
  if (ascii(b, skip, 4) === 'fLaC') return 'flac';
  if (ascii(b, 0, 4) === 'OggS') {
    // The first page holds the codec identification header.
    if (b.length < OGG_PAGE_HEADER_BYTES) throw new AudioError(file, 'truncated', 'file ends inside the first Ogg page header');
    const body = OGG_PAGE_HEADER_BYTES + b[26];
    if (ascii(b, body, 8) === 'OpusHead') return 'ogg-opus';
    if (ascii(b, body, 7) === '\x01vorbis') return 'ogg-vorbis';
    if (body + 8 > b.length) throw new AudioError(file, 'truncated', 'file ends inside the first Ogg page');
    const codec = ascii(b, body, 5) === '\x7fFLAC' ? 'FLAC' : ascii(b, body, 8) === 'Speex   ' ? 'Speex' : 'unknown';
    throw new AudioError(file, 'unsupported', `Ogg stream with ${codec} codec; supported Ogg codecs: Vorbis, Opus`);
  }
  if (skip > 0 || mp3FramesAt(b, 0) >= MP3_SNIFF_FRAMES) return 'mp3';
  for (const [magic, at, name] of KNOWN_UNSUPPORTED) {
    if (ascii(b, at, magic.length) === magic)
      throw new AudioError(file, 'unsupported', `${name} files are not supported; supported: WAV, FLAC, MP3, Ogg Vorbis, Ogg Opus`);
  }
  throw new AudioError(
    file,
    'unsupported',
    `unrecognised audio container (first bytes ${preview(b)}); supported: WAV, FLAC, MP3, Ogg Vorbis, Ogg Opus`,
  );
}

// ---------------------------------------------------------------------------------------
// FLAC

/** Reads STREAMINFO; the decoded result must match its sample rate and total sample count. */
export function checkFlac(b: Uint8Array, file: string): ContainerExpectation {
  const start = id3v2Size(b) + 4;
  // Metadata block header: 1 bit last-block flag, 7 bits type (0 = STREAMINFO), 24 bits length.
  if (start + 4 + FLAC_STREAMINFO_BYTES > b.length) throw new AudioError(file, 'truncated', 'file ends inside the FLAC STREAMINFO block');
  const type = b[start] & 0x7f;
  const length = (b[start + 1] << 16) | (b[start + 2] << 8) | b[start + 3];
  if (type !== 0 || length !== FLAC_STREAMINFO_BYTES)
    throw new AudioError(file, 'corrupt', 'FLAC stream does not start with a valid STREAMINFO block');
  const s = start + 4;
  // Bytes 10..17: 20 bits sample rate, 3 bits channels−1, 5 bits bps−1, 36 bits total samples.
  const sampleRateHz = (b[s + 10] << 12) | (b[s + 11] << 4) | (b[s + 12] >> 4);
  const bitsPerSample = (((b[s + 12] & 1) << 4) | (b[s + 13] >> 4)) + 1;
  const totalSamples = (b[s + 13] & 0x0f) * 2 ** 32 + ((b[s + 14] << 24) >>> 0) + (b[s + 15] << 16) + (b[s + 16] << 8) + b[s + 17];
  if (sampleRateHz === 0) throw new AudioError(file, 'corrupt', 'FLAC STREAMINFO declares a sample rate of 0 Hz');
  // Walk the metadata blocks (bit 7 of each header marks the last) to where frames begin.
  let pos = start;
  for (;;) {
    if (pos + 4 > b.length) throw new AudioError(file, 'truncated', 'file ends inside the FLAC metadata blocks');
    const last = b[pos] & 0x80;
    pos += 4 + ((b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3]);
    if (pos > b.length) throw new AudioError(file, 'truncated', 'file ends inside a FLAC metadata block');
    if (last) break;
  }
  const declaresNoAudio = pos === b.length;
  // total = 0 means "unknown" in FLAC; then only the decoder's output can be checked.
  return totalSamples > 0
    ? { sampleRateHz, bitsPerSample, totalSamples, declaresNoAudio }
    : { sampleRateHz, bitsPerSample, declaresNoAudio };
}

// ---------------------------------------------------------------------------------------
// Ogg

let oggCrcTable: Uint32Array | null = null;

/** CRC-32 as Ogg defines it: polynomial 0x04C11DB7, MSB first, initial value 0, no final xor. */
function oggCrc(b: Uint8Array, start: number, end: number, crcFieldAt: number): number {
  if (!oggCrcTable) {
    oggCrcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let r = i << 24;
      for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
      oggCrcTable[i] = r >>> 0;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) {
    const byte = i >= crcFieldAt && i < crcFieldAt + 4 ? 0 : b[i];
    crc = ((crc << 8) ^ oggCrcTable[((crc >>> 24) ^ byte) & 0xff]) >>> 0;
  }
  return crc;
}

/**
 * Walks every Ogg page: each must be complete and pass its CRC, and the last one must carry
 * the end-of-stream flag. For Opus the decoder always reports 48 kHz.
 */
export function checkOgg(b: Uint8Array, file: string, container: 'ogg-vorbis' | 'ogg-opus'): ContainerExpectation {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = 0;
  let pages = 0;
  let lastFlags = 0;
  let maxGranule = 0;
  while (pos < b.length) {
    if (pos + OGG_PAGE_HEADER_BYTES > b.length) throw new AudioError(file, 'truncated', `file ends inside the header of Ogg page ${pages}`);
    if (ascii(b, pos, 4) !== 'OggS')
      throw new AudioError(file, 'corrupt', `Ogg page ${pages} (byte ${pos}) lacks the "OggS" capture pattern`);
    const segments = b[pos + 26];
    const tableEnd = pos + OGG_PAGE_HEADER_BYTES + segments;
    if (tableEnd > b.length) throw new AudioError(file, 'truncated', `file ends inside Ogg page ${pages}`);
    let bodyBytes = 0;
    for (let i = pos + OGG_PAGE_HEADER_BYTES; i < tableEnd; i++) bodyBytes += b[i];
    const end = tableEnd + bodyBytes;
    if (end > b.length) throw new AudioError(file, 'truncated', `file ends inside Ogg page ${pages} (needs ${end - b.length} more bytes)`);
    const stored = dv.getUint32(pos + 22, true);
    if (oggCrc(b, pos, end, pos + 22) !== stored)
      throw new AudioError(file, 'corrupt', `Ogg page ${pages} (byte ${pos}) fails its CRC check`);
    lastFlags = b[pos + 5];
    // Granule position: samples decoded up to the end of this page; −1 when no packet ends here.
    const granuleLow = dv.getUint32(pos + 6, true);
    const granuleHigh = dv.getInt32(pos + 10, true);
    if (granuleHigh >= 0) maxGranule = Math.max(maxGranule, granuleHigh * 2 ** 32 + granuleLow);
    pos = end;
    pages++;
  }
  if (!(lastFlags & OGG_FLAG_EOS)) throw new AudioError(file, 'truncated', 'the last Ogg page lacks the end-of-stream flag');
  const body = OGG_PAGE_HEADER_BYTES + b[26];
  if (container === 'ogg-opus') {
    // OpusHead: magic (8), version (1), channels (1), pre-skip (2, samples at 48 kHz), ...
    const preSkip = body + 12 <= b.length ? dv.getUint16(body + 10, true) : 0;
    return { sampleRateHz: OPUS_DECODE_RATE_HZ, declaresNoAudio: maxGranule <= preSkip };
  }
  // Vorbis identification header: "\x01vorbis", version (4 bytes), channels (1), rate (4).
  return { sampleRateHz: dv.getUint32(body + 12, true), declaresNoAudio: maxGranule === 0 };
}

/** Opus always decodes at 48 kHz, whatever input rate the encoder was given. */
const OPUS_DECODE_RATE_HZ = 48000;

// ---------------------------------------------------------------------------------------
// MP3

/** Bitrates in kbit/s: [MPEG-1 layer I, II, III, MPEG-2/2.5 layer I, II/III], index 1..14. */
const MP3_BITRATES_KBPS = [
  [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];
const MP3_SAMPLE_RATES_HZ = [44100, 48000, 32000];

interface Mp3Frame {
  bytes: number;
  sampleRateHz: number;
}

/** Parses an MPEG audio frame header at `o`; null when the bytes there are not one. */
function mp3FrameAt(b: Uint8Array, o: number): Mp3Frame | null {
  if (o + MP3_FRAME_HEADER_BYTES > b.length) return null;
  if (b[o] !== 0xff || (b[o + 1] & 0xe0) !== 0xe0) return null;
  const version = (b[o + 1] >> 3) & 3; // 0 = 2.5, 2 = 2, 3 = 1
  const layer = (b[o + 1] >> 1) & 3; // 1 = III, 2 = II, 3 = I
  const bitrateIndex = b[o + 2] >> 4;
  const rateIndex = (b[o + 2] >> 2) & 3;
  const padding = (b[o + 2] >> 1) & 1;
  if (version === 1 || layer === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const mpeg1 = version === 3;
  const sampleRateHz = MP3_SAMPLE_RATES_HZ[rateIndex] / (mpeg1 ? 1 : version === 2 ? 2 : 4);
  const table = mpeg1 ? 3 - layer : layer === 3 ? 3 : 4;
  const bitrate = MP3_BITRATES_KBPS[table][bitrateIndex - 1] * 1000;
  let bytes: number;
  if (layer === 3) bytes = (Math.floor((12 * bitrate) / sampleRateHz) + padding) * 4;
  else if (layer === 1 && !mpeg1) bytes = Math.floor((72 * bitrate) / sampleRateHz) + padding;
  else bytes = Math.floor((144 * bitrate) / sampleRateHz) + padding;
  return { bytes, sampleRateHz };
}

/** How many consecutive complete frames start at `o` (stops at the first non-frame). */
function mp3FramesAt(b: Uint8Array, o: number): number {
  let n = 0;
  for (let f = mp3FrameAt(b, o); f && o + f.bytes <= b.length; f = mp3FrameAt(b, o)) {
    o += f.bytes;
    n++;
  }
  return n;
}

/**
 * Walks the MPEG frame chain from after the ID3v2 tag to the end of the file. Trailing ID3v1,
 * APE and Lyrics3 tags are allowed; a frame cut short is `truncated`, lost sync is `corrupt`.
 * Free-format streams (bitrate index 0) cannot be walked and are not checked.
 */
export function checkMp3(b: Uint8Array, file: string): ContainerExpectation {
  let pos = id3v2Size(b);
  if (pos > b.length) throw new AudioError(file, 'truncated', 'file ends inside its ID3v2 tag');
  const first = mp3FrameAt(b, pos);
  if (!first) {
    if (b[pos] === 0xff && (b[pos + 1] & 0xe0) === 0xe0 && b[pos + 2] >> 4 === 0) return {}; // free format
    throw new AudioError(file, pos >= b.length ? 'truncated' : 'corrupt', `no MPEG audio frame at byte ${pos}`);
  }
  let frames = 0;
  while (pos < b.length) {
    const f = mp3FrameAt(b, pos);
    if (!f) {
      if (isTrailingTag(b, pos)) break;
      if (b.length - pos < MP3_FRAME_HEADER_BYTES && b.subarray(pos).every((x) => x === 0)) break; // zero padding
      throw new AudioError(file, 'corrupt', `MPEG frame sync lost at byte ${pos} after ${frames} frames`);
    }
    if (f.sampleRateHz !== first.sampleRateHz)
      throw new AudioError(
        file,
        'corrupt',
        `MPEG frame ${frames} changes the sample rate from ${first.sampleRateHz} to ${f.sampleRateHz} Hz`,
      );
    if (pos + f.bytes > b.length)
      throw new AudioError(file, 'truncated', `file ends inside MPEG frame ${frames} (needs ${pos + f.bytes - b.length} more bytes)`);
    pos += f.bytes;
    frames++;
  }
  return { sampleRateHz: first.sampleRateHz };
}

function isTrailingTag(b: Uint8Array, pos: number): boolean {
  const rest = b.length - pos;
  if (ascii(b, pos, 3) === 'TAG' && rest <= ID3V1_TAG_BYTES) return true;
  return ascii(b, pos, 8) === 'APETAGEX' || ascii(b, pos, 11) === 'LYRICSBEGIN';
}
