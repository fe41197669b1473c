/**
 * Lossy-codec round trips (MP3, Ogg Vorbis) through the `sox` binary, and the Node-side
 * channel-shift registry that adds them to the platform-independent ones of `channel.ts`.
 * Needs SoX with its MP3 and Vorbis handlers (Debian/Ubuntu: `sox libsox-fmt-all`; `sox -h`
 * must list mp3 and vorbis). Audio goes through stdin/stdout, no temporary files.
 */
import { ProgramError, runProgram } from '../core/index.js';
import { makeRng } from '../core/pure.js';
import { convolve } from '../dsp/index.js';
import { whiteNoise } from './augment.js';
import { type ChannelShift, channelShiftsWith, defineChannelShift, findChannelShift } from './channel.js';
import { decodeAudio } from './decode.js';
import { encodeWav16 } from './encode.js';
import { prepareAudio } from './prepare.js';

/** Codec settings for {@link codecRoundTrip}. */
export interface CodecOptions {
  format: 'mp3' | 'ogg';
  /** MP3 only: constant bit rate in kbit/s (LAME clamps it to what the sample rate allows); default {@link DEFAULT_MP3_BITRATE_KBPS}. */
  bitrateKbps?: number;
  /** Ogg only: Vorbis quality, −1 (lowest) … 10; default {@link DEFAULT_VORBIS_QUALITY}. */
  quality?: number;
}

/** Defaults of {@link codecRoundTrip}: MP3 bit rate in kbit/s, and Vorbis quality (oggenc's default). */
export const DEFAULT_MP3_BITRATE_KBPS = 64;
export const DEFAULT_VORBIS_QUALITY = 3;
/** Largest codec delay searched for when aligning, in s (LAME adds ≈ 70 ms at 16 kHz). */
export const MAX_CODEC_DELAY_S = 0.25;
/** The delay probe: this long (s), this loud (RMS re full scale), from this seed. */
const DELAY_PROBE_S = 1;
const DELAY_PROBE_RMS = 0.1;
const DELAY_PROBE_SEED = 0xc0dec;
/** SoX type names of the formats. */
const SOX_TYPE = { mp3: 'mp3', ogg: 'vorbis' } as const;

/**
 * Encodes a signal with a lossy codec and decodes it again, as a file shared through a
 * messaging app or a streaming service would be.
 *
 * The signal goes to `sox` as 16-bit WAV, is encoded (`-C <bitrate>` for MP3, `-C <quality>`
 * for Vorbis), decoded by `sox` to 16-bit WAV, read by {@link decodeAudio} and resampled
 * back to `sampleRateHz` if the encoder changed the rate.
 *
 * Alignment: MP3 decodes late and long (LAME's encoder delay and padding, which SoX's
 * decoder does not remove). The delay is a property of the codec settings, not of the
 * signal, so it is measured once per (format, setting, rate) by cross-correlation: a seeded
 * white-noise probe makes the same round trip and the lag within ±{@link MAX_CODEC_DELAY_S}
 * maximising Σ probe[i]·out[i + lag] is the delay (cached). Measuring on the signal itself
 * would fail on silence and can lock onto a wrong period of strongly periodic input.
 * Measured ({@link codecDelaySamples}): 1105 samples for MP3 (LAME's 576 + 529; at 16 kHz
 * for 16 and 64 kbit/s, also at 44.1 and 48 kHz), 0 for Vorbis. The delay is removed and the result cropped or zero-padded to
 * `x.length` samples.
 *
 * @param x - signal in [-1, 1] (non-empty; values outside are clipped by the WAV encoding).
 * @param sampleRateHz - its sample rate in Hz (integer).
 * @returns `x.length` samples at `sampleRateHz`, aligned with `x`.
 * @throws Error when sox is not installed or fails (with the first line of its stderr).
 */
export async function codecRoundTrip(x: Float32Array, sampleRateHz: number, options: CodecOptions): Promise<Float32Array> {
  const codec = checkCodec('codecRoundTrip', sampleRateHz, options);
  if (x.length === 0) throw new RangeError('codecRoundTrip: the signal is empty');
  const y = await roundTrip(x, codec);
  const lag = await codecDelay(codec);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i + lag;
    if (j >= 0 && j < y.length) out[i] = y[j];
  }
  return out;
}

/**
 * The delay in samples (at `sampleRateHz`) that {@link codecRoundTrip} removes for these
 * settings: measured once with a noise probe, then cached.
 */
export function codecDelaySamples(sampleRateHz: number, options: CodecOptions): Promise<number> {
  try {
    return codecDelay(checkCodec('codecDelaySamples', sampleRateHz, options));
  } catch (err) {
    return Promise.reject(err);
  }
}

function checkCodec(who: string, sampleRateHz: number, options: CodecOptions): Codec {
  const { format } = options;
  if (format !== 'mp3' && format !== 'ogg') throw new RangeError(`${who}: format must be 'mp3' or 'ogg', got '${format}'`);
  if (!Number.isInteger(sampleRateHz) || sampleRateHz <= 0)
    throw new RangeError(`${who}: sampleRateHz must be a positive integer number of Hz, got ${sampleRateHz}`);
  if (format === 'mp3' && options.quality !== undefined) throw new RangeError(`${who}: quality applies to ogg; use bitrateKbps for mp3`);
  if (format === 'ogg' && options.bitrateKbps !== undefined)
    throw new RangeError(`${who}: bitrateKbps applies to mp3; use quality for ogg`);
  const setting = format === 'mp3' ? (options.bitrateKbps ?? DEFAULT_MP3_BITRATE_KBPS) : (options.quality ?? DEFAULT_VORBIS_QUALITY);
  // The range is left to sox, whose message names it.
  if (!Number.isFinite(setting) || (format === 'mp3' && setting <= 0))
    throw new RangeError(`${who}: ${format === 'mp3' ? 'bitrateKbps must be positive and' : 'quality must be'} finite, got ${setting}`);
  return { format, setting, sampleRateHz };
}

interface Codec {
  format: CodecOptions['format'];
  setting: number;
  sampleRateHz: number;
}

/** Encode + decode, unaligned, at the input rate. */
async function roundTrip(x: Float32Array, { format, setting, sampleRateHz }: Codec): Promise<Float32Array> {
  const type = SOX_TYPE[format];
  const encoded = await runSox(
    ['-t', 'wav', '-', '-t', type, '-C', String(setting), '-'],
    encodeWav16(x, sampleRateHz),
    `${format} encode`,
  );
  const wav = await runSox(['-t', type, '-', '-t', 'wav', '-e', 'signed-integer', '-b', '16', '-'], encoded, `${format} decode`);
  return prepareAudio(await decodeAudio(fixStreamedWavSizes(wav), `${format} round trip`), sampleRateHz);
}

/** Measured codec delays in samples, by codec settings (promises, so concurrent callers share one probe). */
const delays = new Map<string, Promise<number>>();

/** The codec's delay in samples, measured with the noise probe (see {@link codecRoundTrip}). */
function codecDelay(codec: Codec): Promise<number> {
  const key = `${codec.format}/${codec.setting}/${codec.sampleRateHz}`;
  let delay = delays.get(key);
  if (delay === undefined) {
    const probe = whiteNoise(Math.round(DELAY_PROBE_S * codec.sampleRateHz), makeRng(DELAY_PROBE_SEED));
    for (let i = 0; i < probe.length; i++) probe[i] *= DELAY_PROBE_RMS;
    const maxLag = Math.round(MAX_CODEC_DELAY_S * codec.sampleRateHz);
    delay = roundTrip(probe, codec).then((y) => correlationPeak(probe, y, maxLag));
    delays.set(key, delay);
    delay.catch(() => delays.delete(key));
  }
  return delay;
}

/** The lag in [-maxLag, maxLag] (samples) maximising Σ x[i]·y[i + lag]. */
function correlationPeak(x: Float32Array, y: Float32Array, maxLag: number): number {
  const n = x.length;
  const reversed = new Float32Array(n);
  for (let i = 0; i < n; i++) reversed[i] = x[n - 1 - i];
  // conv[k] = Σ_j y[j]·x[n − 1 − k + j], i.e. the correlation at lag k − (n − 1).
  const conv = convolve(y.subarray(0, Math.min(y.length, n + maxLag)), reversed);
  let best = 0;
  let bestValue = -Infinity;
  for (let lag = -Math.min(maxLag, n - 1); lag <= maxLag; lag++) {
    const k = lag + n - 1;
    if (k < conv.length && conv[k] > bestValue) [best, bestValue] = [lag, conv[k]];
  }
  return best;
}

/**
 * SoX writing WAV to a pipe cannot seek back to fix the header, so it leaves its own length
 * estimate there (for MP3 longer than what it writes). Sets the RIFF and `data` sizes to
 * the bytes actually present when `data` is the last chunk, as it is in SoX's output.
 */
function fixStreamedWavSizes(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = String.fromCharCode(...bytes.subarray(at, at + 4));
    const size = view.getUint32(at + 4, true);
    if (id === 'data') {
      const present = bytes.length - at - 8;
      if (size !== present) {
        view.setUint32(at + 4, present - (present % 2), true);
        view.setUint32(4, bytes.length - 8, true);
      }
      break;
    }
    at += 8 + size + (size % 2);
  }
  return bytes;
}

/** Runs `sox -V1 <args>` with `input` on stdin; resolves with its stdout. */
async function runSox(args: string[], input: Uint8Array, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await runProgram('sox', ['-V1', ...args], input));
  } catch (e) {
    if (!(e instanceof ProgramError)) throw e;
    if (e.kind === 'missing')
      throw new Error(`codecRoundTrip (${what}): the sox binary was not found on PATH (install sox and libsox-fmt-all)`);
    if (e.kind === 'start') throw new Error(`codecRoundTrip (${what}): could not run sox: ${e.detail}`);
    throw new Error(`codecRoundTrip (${what}): sox failed: ${e.detail || `exit ${e.exit.code ?? e.exit.signal}`}`);
  }
}

/** Vorbis quality of the `ogg-q0` shift (as its name says; libvorbis also accepts −1, marginally lower: both ≈ 34 kbit/s for a 16 kHz mono tone). */
export const OGG_SHIFT_QUALITY = 0;
/** MP3 bit rate of the `mp3-16kbps` shift, in kbit/s. */
export const MP3_SHIFT_BITRATE_KBPS = 16;

const CODEC_SHIFTS: readonly ChannelShift[] = [
  defineChannelShift('mp3-16kbps', 'MP3 at 16 kbit/s CBR (LAME), decoded and time-aligned', (x, fs) =>
    codecRoundTrip(x, fs, { format: 'mp3', bitrateKbps: MP3_SHIFT_BITRATE_KBPS }),
  ),
  defineChannelShift('ogg-q0', 'Ogg Vorbis at quality 0, decoded and time-aligned', (x, fs) =>
    codecRoundTrip(x, fs, { format: 'ogg', quality: OGG_SHIFT_QUALITY }),
  ),
];

/** Every channel shift, in order: the platform-independent ones with the codecs after `telephone`. */
export const CHANNEL_SHIFTS_NODE: readonly ChannelShift[] = channelShiftsWith(CODEC_SHIFTS);

/** The shift called `name`, codecs included (see {@link CHANNEL_SHIFTS_NODE}). */
export function getChannelShift(name: string): ChannelShift {
  return findChannelShift(CHANNEL_SHIFTS_NODE, name);
}

/** Every channel shift, codecs included, in registry order (a copy). */
export function listChannelShifts(): ChannelShift[] {
  return [...CHANNEL_SHIFTS_NODE];
}
