/**
 * Bytes → planar float audio, for WAV, FLAC, MP3, Ogg Vorbis and Ogg Opus.
 *
 * PCM/float WAV is parsed here (see `wav.ts` for why); everything else goes through the
 * `audio-decode` package (pure JS/WASM, runs in Node and browsers), after a structural check
 * of the container (`containers.ts`) so damaged files fail instead of decoding short.
 * This module does not touch the file system.
 */
import decodeWithLibrary from 'audio-decode';
import { assertFinite, checkSampleRate, frameCount, type Audio } from './buffer.js';
import { checkFlac, checkMp3, checkOgg, sniffContainer, type Container, type ContainerExpectation } from './containers.js';
import { AudioError, asAudioError } from './errors.js';
import { decodeWavSamples, maxDelegatedSamples, parseWavHeader } from './wav.js';

/** Human-readable container names, for messages. */
const CONTAINER_NAMES: Record<Container, string> = {
  wav: 'WAV',
  flac: 'FLAC',
  'ogg-vorbis': 'Ogg Vorbis',
  'ogg-opus': 'Ogg Opus',
  mp3: 'MP3',
};

/**
 * Widest FLAC sample for which the decoder's float32 output still identifies the integer
 * code uniquely, so it can be rescaled exactly (see {@link rescaleFlac}).
 */
const FLAC_EXACT_RESCALE_MAX_BITS = 24;

/** Which audio-decode codec handles a container (audio-decode names Ogg Vorbis "oga"). */
const LIBRARY_CODEC = {
  wav: decodeWithLibrary.wav,
  flac: decodeWithLibrary.flac,
  'ogg-vorbis': decodeWithLibrary.oga,
  'ogg-opus': decodeWithLibrary.opus,
  mp3: decodeWithLibrary.mp3,
} as const;

/**
 * Decodes a complete audio file held in memory.
 *
 * Supported: WAV (PCM 8/16/24/32-bit, IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE, A-law,
 * µ-law, MS/IMA ADPCM; any channel count), FLAC, MP3, Ogg Vorbis and Ogg Opus (Opus always
 * decodes at 48 000 Hz). Samples are scaled to [-1, 1); no resampling or mixing happens here.
 *
 * @param bytes - the whole file.
 * @param label - the file name, used in error messages.
 * @returns planar audio at the file's own sample rate (Hz) and channel count.
 * @throws AudioError with `file === label` for an empty, truncated, corrupt, unsupported or
 *   sample-less file, or one containing NaN/Infinity samples.
 */
export async function decodeAudio(bytes: Uint8Array, label: string): Promise<Audio> {
  try {
    return await decodeChecked(bytes, label);
  } catch (err) {
    // Safety net: whatever goes wrong (e.g. a bounds error on a malformed header this module
    // did not anticipate) still surfaces as one AudioError naming the file.
    throw asAudioError(label, err, 'corrupt', 'cannot decode');
  }
}

async function decodeChecked(bytes: Uint8Array, label: string): Promise<Audio> {
  const container = sniffContainer(bytes, label);
  let audio: Audio;
  if (container === 'wav') {
    const info = parseWavHeader(bytes, label);
    audio = info.delegate
      ? await decodeByLibrary(bytes, label, container, { sampleRateHz: info.sampleRateHz, maxSamples: maxDelegatedSamples(info) })
      : decodeWavSamples(bytes, info);
  } else {
    const expect =
      container === 'flac' ? checkFlac(bytes, label) : container === 'mp3' ? checkMp3(bytes, label) : checkOgg(bytes, label, container);
    audio = await decodeByLibrary(bytes, label, container, expect);
    if (container === 'flac' && expect.bitsPerSample !== undefined) rescaleFlac(audio, expect.bitsPerSample);
  }
  if (frameCount(audio) === 0) throw new AudioError(label, 'no-samples', `${CONTAINER_NAMES[container]} file decodes to zero samples`);
  checkSampleRate(label, audio.sampleRateHz);
  assertFinite(label, audio);
  return audio;
}

async function decodeByLibrary(bytes: Uint8Array, label: string, container: Container, expect: ContainerExpectation): Promise<Audio> {
  const name = CONTAINER_NAMES[container];
  let channelData: Float32Array[] = [];
  let sampleRate = 0;
  try {
    const decoder = await LIBRARY_CODEC[container]();
    const parts = [await decoder(bytes), await decoder()];
    const filled = parts.filter((p) => p.channelData.length > 0 && p.channelData[0].length > 0);
    if (filled.length > 0) {
      sampleRate = filled[0].sampleRate;
      const nCh = Math.max(...filled.map((p) => p.channelData.length));
      channelData = Array.from({ length: nCh }, (_, c) => concat(filled.map((p) => p.channelData[c % p.channelData.length])));
    }
  } catch (err) {
    throw asAudioError(label, err, 'corrupt', `${name} decoder failed`);
  }
  const frames = channelData.length > 0 ? channelData[0].length : 0;
  if (frames === 0) {
    if (expect.declaresNoAudio) throw new AudioError(label, 'no-samples', `${name} file holds no audio (zero samples)`);
    throw new AudioError(label, 'corrupt', `${name} decoder produced no samples (the file is damaged or holds no audio)`);
  }
  if (expect.sampleRateHz !== undefined && sampleRate !== expect.sampleRateHz) {
    throw new AudioError(label, 'corrupt', `${name} decoder reports ${sampleRate} Hz but the header says ${expect.sampleRateHz} Hz`);
  }
  if (expect.maxSamples !== undefined && frames > expect.maxSamples) {
    throw new AudioError(
      label,
      'corrupt',
      `${name} decoder produced ${frames} samples per channel where the data holds at most ${expect.maxSamples} (stream damaged)`,
    );
  }
  if (expect.totalSamples !== undefined && frames !== expect.totalSamples) {
    const kind = frames < expect.totalSamples ? 'truncated' : 'corrupt';
    const what = kind === 'truncated' ? 'file truncated or frames damaged' : 'stream damaged';
    throw new AudioError(
      label,
      kind,
      `${name} header declares ${expect.totalSamples} samples per channel but ${frames} were decoded (${what})`,
    );
  }
  // Decoders may hand out views into WASM memory that later calls overwrite: copy.
  return {
    sampleRateHz: sampleRate,
    channels: channelData.map((c) => (c.byteOffset === 0 && c.buffer.byteLength === c.byteLength ? c : c.slice())),
  };
}

/**
 * audio-decode's FLAC decoder (3.12) scales integer samples by 1/(2^(bits−1) − 1); libsndfile,
 * SoX, torchaudio and our WAV parser use 1/2^(bits−1). For widths up to 24 bits the float32
 * value pins down the integer code exactly, so we recover it and rescale, making FLAC and WAV
 * copies of the same audio decode to identical samples (and matching Python references).
 * Should a later decoder version switch to 1/2^(bits−1) itself, the grid check leaves its
 * output alone.
 */
function rescaleFlac(audio: Audio, bits: number): void {
  if (bits > FLAC_EXACT_RESCALE_MAX_BITS) return;
  const codeScale = 2 ** (bits - 1) - 1;
  const pcmScale = 2 ** (bits - 1);
  if (gridError(audio.channels[0], pcmScale) <= gridError(audio.channels[0], codeScale)) return;
  const outScale = 1 / pcmScale;
  for (const ch of audio.channels) {
    // "+ 0" turns the −0 that Math.round gives for small negatives into +0, as integer PCM has.
    for (let i = 0; i < ch.length; i++) ch[i] = Math.round(ch[i] * codeScale) * outScale + 0;
  }
}

/** Samples inspected to tell which integer grid a decoder used. */
const GRID_PROBE_SAMPLES = 4096;

/** Mean distance of x·scale from the nearest integer, over up to GRID_PROBE_SAMPLES samples. */
function gridError(x: Float32Array, scale: number): number {
  const step = Math.max(1, Math.floor(x.length / GRID_PROBE_SAMPLES));
  let sum = 0;
  let n = 0;
  for (let i = 0; i < x.length; i += step, n++) {
    const v = x[i] * scale;
    sum += Math.abs(v - Math.round(v));
  }
  return n > 0 ? sum / n : 0;
}

function concat(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
