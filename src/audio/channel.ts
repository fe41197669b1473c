/**
 * Channel shifts: deterministic, seeded transforms that simulate the channels a deployed
 * emotion recogniser meets (telephone line, lossy codecs, rooms, babble and broadband noise,
 * level changes, DC offset, leading/trailing silence). They build the robustness test
 * conditions and double as training augmentation. Signals are mono float32 in [-1, 1];
 * randomness only comes from the {@link Rng} passed in. No Node built-ins here: the codec
 * shifts (which need the `sox` binary) live in `codec.ts`.
 */
import { closestName, drawUniform, makeRng, type Rng } from '../core/pure.js';
import { ComplexFft, resample } from '../dsp/index.js';
import { addNoise, applyGainDb, babbleNoise, whiteNoise } from './augment.js';
import { MAX_SAMPLE_RATE_HZ, MIN_SAMPLE_RATE_HZ } from './buffer.js';
import { reverberate } from './reverb.js';

/** Telephone pass band (ITU-T G.712 voice channel), in Hz. */
export const TELEPHONE_LOW_HZ = 300;
export const TELEPHONE_HIGH_HZ = 3400;
/** Sample rate of the G.711 channel, in Hz. */
export const TELEPHONE_SAMPLE_RATE_HZ = 8000;
/**
 * Butterworth order of each band edge (the high-pass at 300 Hz and the low-pass at 3400 Hz
 * are each this many poles, i.e. order / 2 biquads): −24 dB/octave beyond the edges.
 */
export const TELEPHONE_BUTTERWORTH_ORDER = 4;
/** Level of the noise floor that {@link padSilence} writes, in dBFS (RMS re full scale 1.0). */
export const SILENCE_FLOOR_DBFS = -80;
/** DC offset added by the `dc-offset` shift, as a fraction of full scale. */
export const DC_OFFSET_FULL_SCALE = 0.05;
/** Range of the RT60 drawn by the `reverb-room` shift (typical furnished rooms), in s. */
export const ROOM_RT60_RANGE_S: readonly [number, number] = [0.3, 0.8];
/** Number of talkers mixed by the babble shifts (drawn uniformly, inclusive). */
export const BABBLE_TALKERS_RANGE: readonly [number, number] = [4, 6];
/** Length range of each of the leading and trailing pads of `silence-1-3s`, in s. */
export const SILENCE_PAD_RANGE_S: readonly [number, number] = [1, 3];

/** Seed of the noise floor when {@link padSilence} gets no random source. */
const SILENCE_DEFAULT_SEED = 0x5113;
/** G.711 µ-law: bias added to the magnitude before the segment search, and the clip level (14-bit codes). */
const MULAW_BIAS = 0x84;
const MULAW_CLIP = 32635;
/** Scale between float full scale and 16-bit linear PCM. */
const PCM16_SCALE = 32768;

/** Second-order section, normalised so a0 = 1. */
interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/**
 * The order/2 biquads of a digital Butterworth high- or low-pass (bilinear transform,
 * pre-warped so the −3 dB point sits exactly at `cutoffHz`). Section k has
 * Q = 1 / (2 cos(π (2k + 1) / (2 · order))).
 */
function butterworth(kind: 'lowpass' | 'highpass', cutoffHz: number, sampleRateHz: number, order: number): Biquad[] {
  const w0 = (2 * Math.PI * cutoffHz) / sampleRateHz;
  const cos = Math.cos(w0);
  const sections: Biquad[] = [];
  for (let k = 0; k < order / 2; k++) {
    const q = 1 / (2 * Math.cos((Math.PI * (2 * k + 1)) / (2 * order)));
    const alpha = Math.sin(w0) / (2 * q);
    const a0 = 1 + alpha;
    const b = kind === 'lowpass' ? (1 - cos) / 2 : (1 + cos) / 2;
    const b1 = kind === 'lowpass' ? 1 - cos : -(1 + cos);
    sections.push({ b0: b / a0, b1: b1 / a0, b2: b / a0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 });
  }
  return sections;
}

/** Runs `x` through the sections in cascade (transposed direct form II, double precision). */
function filterCascade(x: ArrayLike<number>, sections: Biquad[]): Float64Array {
  const y = Float64Array.from(x);
  for (const { b0, b1, b2, a1, a2 } of sections) {
    let z1 = 0;
    let z2 = 0;
    for (let i = 0; i < y.length; i++) {
      const v = y[i];
      const out = b0 * v + z1;
      z1 = b1 * v - a1 * out + z2;
      z2 = b2 * v - a2 * out;
      y[i] = out;
    }
  }
  return y;
}

/**
 * G.711 µ-law encoding (the segmented 8-bit code of telephone networks): floats in [-1, 1]
 * are scaled to 16-bit PCM (values outside are clipped), then companded to one byte each.
 * The round trip's SNR barely depends on level: 40.2, 38.6 and 33.7 dB for a 1 kHz tone at
 * 0.9, 0.1 and 0.01 of full scale.
 */
export function mulawEncode(x: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let pcm = Math.round(Math.max(-1, Math.min(1, x[i])) * PCM16_SCALE);
    const sign = pcm < 0 ? 0x80 : 0;
    pcm = Math.min(Math.abs(pcm), MULAW_CLIP) + MULAW_BIAS;
    // Segment = position of the leading one among bits 7…14 of the biased magnitude.
    const exponent = Math.max(0, Math.min(7, 31 - Math.clz32(pcm) - 7));
    const mantissa = (pcm >> (exponent + 3)) & 0x0f;
    out[i] = ~(sign | (exponent << 4) | mantissa) & 0xff;
  }
  return out;
}

/** G.711 µ-law decoding to floats in [-1, 1] (each code decodes to the middle of its step). */
export function mulawDecode(codes: Uint8Array): Float32Array {
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const u = ~codes[i] & 0xff;
    const magnitude = ((((u & 0x0f) << 3) + MULAW_BIAS) << ((u >> 4) & 0x07)) - MULAW_BIAS;
    out[i] = (u & 0x80 ? -magnitude : magnitude) / PCM16_SCALE;
  }
  return out;
}

function checkRate(who: string, sampleRateHz: number, min = MIN_SAMPLE_RATE_HZ): void {
  if (!Number.isInteger(sampleRateHz) || sampleRateHz < min || sampleRateHz > MAX_SAMPLE_RATE_HZ)
    throw new RangeError(`${who}: sampleRateHz must be an integer number of Hz in [${min}, ${MAX_SAMPLE_RATE_HZ}], got ${sampleRateHz}`);
}

/**
 * A narrow-band telephone channel: band-pass 300–3400 Hz (Butterworth high- and low-pass of
 * order {@link TELEPHONE_BUTTERWORTH_ORDER} each; causal, so it adds the small phase delay a
 * real line does: group delay ≈ 0.7 ms at 500 Hz, 0.25 ms at 1 kHz), resampling to 8 kHz, a
 * G.711 µ-law round trip (8 bits per sample, {@link mulawEncode}) and resampling back. The
 * resampler is zero-phase (no delay of its own) and the output is exactly `x.length` samples.
 * Measured at 16 kHz (test/audio/channel.test.ts): a 1 kHz tone passes at +0.2 dB, 100 Hz is
 * 38 dB down, 6 kHz is removed entirely.
 *
 * @param x - signal in [-1, 1].
 * @param sampleRateHz - its sample rate in Hz, an integer ≥ 8000.
 */
export function telephoneBand(x: Float32Array, sampleRateHz: number): Float32Array {
  checkRate('telephoneBand', sampleRateHz, TELEPHONE_SAMPLE_RATE_HZ);
  const order = TELEPHONE_BUTTERWORTH_ORDER;
  const sections = [
    ...butterworth('highpass', TELEPHONE_LOW_HZ, sampleRateHz, order),
    ...butterworth('lowpass', TELEPHONE_HIGH_HZ, sampleRateHz, order),
  ];
  const band = Float32Array.from(filterCascade(x, sections));
  const narrow = resample(band, sampleRateHz, TELEPHONE_SAMPLE_RATE_HZ);
  const back = resample(mulawDecode(mulawEncode(narrow)), TELEPHONE_SAMPLE_RATE_HZ, sampleRateHz);
  // ⌈⌈n·8000/fs⌉·fs/8000⌉ ≥ n: the round trip never comes back short, only a sample long.
  return back.subarray(0, x.length).slice();
}

/**
 * Pink (1/f) Gaussian noise with mean ≈ 0 and unit mean power: white Gaussian spectral
 * coefficients shaped by 1/√f on a power-of-two FFT grid (DC zeroed), inverse-transformed
 * and cropped to `n` samples. The power spectral density falls by 3.01 dB per octave at
 * every sample rate (1/f has no scale); test/audio/channel.test.ts measures the slope.
 *
 * @param n - number of samples.
 * @param rng - random source.
 */
export function pinkNoise(n: number, rng: Rng): Float32Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`pinkNoise: n must be a non-negative integer, got ${n}`);
  if (n === 0) return new Float32Array(0);
  let size = 2;
  while (size < n) size *= 2;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const half = size / 2;
  for (let k = 1; k <= half; k++) {
    const a = 1 / Math.sqrt(k);
    re[k] = a * rng.normal();
    im[k] = k === half ? 0 : a * rng.normal(); // the Nyquist bin of a real signal is real
    re[size - k] = re[k];
    im[size - k] = -im[k];
  }
  new ComplexFft(size).inverse(re, im);
  let power = 0;
  for (let i = 0; i < n; i++) power += re[i] * re[i];
  const g = power > 0 ? Math.sqrt(n / power) : 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = re[i] * g;
  return out;
}

/** `x + offset` (a constant DC offset, as a fraction of full scale); no clipping. */
export function addDcOffset(x: Float32Array, offset: number): Float32Array {
  if (!Number.isFinite(offset)) throw new RangeError(`addDcOffset: offset must be finite, got ${offset}`);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + offset;
  return out;
}

/**
 * Adds leading and trailing "silence". Recorded silence is never digital zero, so the pads
 * hold white Gaussian noise at {@link SILENCE_FLOOR_DBFS} (RMS 10⁻⁴ of full scale, the floor
 * of a quiet room through a good 16-bit chain); `x` itself is copied unchanged.
 *
 * @param x - signal.
 * @param sampleRateHz - sample rate in Hz (integer).
 * @param leadS - leading silence in s (≥ 0); round(leadS · sampleRateHz) samples.
 * @param trailS - trailing silence in s (≥ 0); round(trailS · sampleRateHz) samples.
 * @param rng - random source for the floor; without one, a fixed seed (so the output is still deterministic).
 */
export function padSilence(x: Float32Array, sampleRateHz: number, leadS: number, trailS: number, rng?: Rng): Float32Array {
  checkRate('padSilence', sampleRateHz);
  for (const [what, v] of [
    ['leadS', leadS],
    ['trailS', trailS],
  ] as const) {
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`padSilence: ${what} must be a finite number of seconds ≥ 0, got ${v}`);
  }
  const lead = Math.round(leadS * sampleRateHz);
  const trail = Math.round(trailS * sampleRateHz);
  const floor = whiteNoise(lead + trail, rng ?? makeRng(SILENCE_DEFAULT_SEED));
  const g = 10 ** (SILENCE_FLOOR_DBFS / 20);
  const out = new Float32Array(lead + x.length + trail);
  for (let i = 0; i < lead; i++) out[i] = g * floor[i];
  out.set(x, lead);
  for (let i = 0; i < trail; i++) out[lead + x.length + i] = g * floor[lead + i];
  return out;
}

/**
 * {@link applyGainDb} followed by a hard clip to [-1, 1], as an ADC saturates: with
 * +10 dB (×3.16) every sample with |x| > 0.316 comes out at ±1.
 */
export function applyGainDbClipped(x: Float32Array, gainDb: number): Float32Array {
  const out = applyGainDb(x, gainDb);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(-1, Math.min(1, out[i]));
  return out;
}

/** What a shift may draw on besides the signal. */
export interface ShiftContext {
  /** The only source of randomness. */
  rng: Rng;
  /** Other talkers' signals at the same sample rate (needed by the babble shifts). */
  babble?: Float32Array[];
}

/**
 * One channel condition. `apply` returns a new array (the input is not modified); its
 * length equals the input's except for `silence-1-3s`. Outputs are not clipped unless the
 * shift says so (`gain-plus-10db`); `encodeWav16` clips when writing. Bad arguments throw
 * synchronously even from the codec shifts (which otherwise return a promise): call it as
 * `await shift.apply(…)` inside one try block to catch both.
 */
export interface ChannelShift {
  name: string;
  description: string;
  /** @param sampleRateHz - in Hz (integer). */
  apply(x: Float32Array, sampleRateHz: number, ctx: ShiftContext): Float32Array | Promise<Float32Array>;
}

/**
 * Builds a {@link ChannelShift} whose `apply` checks the sample rate and that the signal is
 * not empty, and prefixes every error (thrown or rejected) with `channel shift "<name>": `.
 */
export function defineChannelShift(name: string, description: string, run: ChannelShift['apply']): ChannelShift {
  const who = `channel shift "${name}"`;
  const wrap = (err: unknown): Error => {
    if (err instanceof Error && err.message.startsWith(who)) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new (err instanceof RangeError ? RangeError : Error)(`${who}: ${message}`, { cause: err });
  };
  return {
    name,
    description,
    apply(x, sampleRateHz, ctx) {
      try {
        checkRate(who, sampleRateHz);
        if (x.length === 0) throw new RangeError(`${who}: the signal is empty`);
        const out = run(x, sampleRateHz, ctx);
        return out instanceof Promise ? out.catch((err) => Promise.reject(wrap(err))) : out;
      } catch (err) {
        throw wrap(err);
      }
    },
  };
}

/**
 * Babble of 4–6 talkers drawn from `ctx.babble` (in a seeded random order; with fewer
 * sources than talkers, sources are reused, each use at its own random offset), added at
 * `snrDb`.
 */
function addBabble(x: Float32Array, ctx: ShiftContext, snrDb: number): Float32Array {
  const pool = ctx.babble ?? [];
  if (pool.length === 0) throw new RangeError("ctx.babble is missing or empty (it needs other talkers' signals at the same sample rate)");
  const [lo, hi] = BABBLE_TALKERS_RANGE;
  const talkers = lo + ctx.rng.int(hi - lo + 1);
  const order = pool.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = ctx.rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const sources = Array.from({ length: talkers }, (_, k) => pool[order[k % order.length]]);
  return addNoise(x, babbleNoise(sources, x.length, ctx.rng), snrDb);
}

const shift = defineChannelShift;

/** The telephone shift (first in both registries). */
const TELEPHONE: ChannelShift = shift('telephone', 'Narrow-band telephone: 300–3400 Hz band-pass, 8 kHz, G.711 µ-law', (x, fs) =>
  telephoneBand(x, fs),
);

/** The shifts after the codec ones, in registry order. */
const AFTER_CODECS: readonly ChannelShift[] = [
  shift('reverb-room', 'Synthetic room reverberation, RT60 uniform in 0.3–0.8 s', (x, fs, { rng }) =>
    reverberate(x, fs, drawUniform(rng, ROOM_RT60_RANGE_S), rng),
  ),
  shift('babble-20db', 'Babble of 4–6 other talkers at 20 dB SNR', (x, _fs, ctx) => addBabble(x, ctx, 20)),
  shift('babble-10db', 'Babble of 4–6 other talkers at 10 dB SNR', (x, _fs, ctx) => addBabble(x, ctx, 10)),
  shift('white-20db', 'White Gaussian noise at 20 dB SNR', (x, _fs, { rng }) => addNoise(x, whiteNoise(x.length, rng), 20)),
  shift('white-10db', 'White Gaussian noise at 10 dB SNR', (x, _fs, { rng }) => addNoise(x, whiteNoise(x.length, rng), 10)),
  shift('pink-20db', 'Pink (1/f) noise at 20 dB SNR', (x, _fs, { rng }) => addNoise(x, pinkNoise(x.length, rng), 20)),
  shift('pink-10db', 'Pink (1/f) noise at 10 dB SNR', (x, _fs, { rng }) => addNoise(x, pinkNoise(x.length, rng), 10)),
  shift('gain-minus-20db', 'Level −20 dB (a distant or quiet microphone)', (x) => applyGainDb(x, -20)),
  shift('gain-plus-10db', 'Level +10 dB, hard-clipped to [-1, 1] like a saturating ADC', (x) => applyGainDbClipped(x, 10)),
  shift('dc-offset', 'DC offset of 0.05 of full scale (not clipped)', (x) => addDcOffset(x, DC_OFFSET_FULL_SCALE)),
  shift('silence-1-3s', 'Leading and trailing silence (−80 dBFS floor), each uniform in 1–3 s', (x, fs, { rng }) =>
    padSilence(x, fs, drawUniform(rng, SILENCE_PAD_RANGE_S), drawUniform(rng, SILENCE_PAD_RANGE_S), rng),
  ),
];

/**
 * Builds a registry: `telephone`, then `codecs`, then the rest, in the documented order.
 * (Used by `codec.ts` to insert the Node-only codec shifts.)
 */
export function channelShiftsWith(codecs: readonly ChannelShift[]): readonly ChannelShift[] {
  return Object.freeze([TELEPHONE, ...codecs, ...AFTER_CODECS]);
}

/** The platform-independent channel shifts, in order (no codecs: those are in `CHANNEL_SHIFTS_NODE`). */
export const CHANNEL_SHIFTS: readonly ChannelShift[] = channelShiftsWith([]);

/** The shift called `name` in `shifts`; the error lists the known names (and a near miss). */
export function findChannelShift(shifts: readonly ChannelShift[], name: string): ChannelShift {
  const hit = shifts.find((s) => s.name === name);
  if (hit) return hit;
  const names = shifts.map((s) => s.name);
  const near = closestName(name, names);
  throw new RangeError(`unknown channel shift '${name}'${near ? ` (did you mean '${near}'?)` : ''}; known: ${names.join(', ')}`);
}

/** The platform-independent shift called `name` (see {@link CHANNEL_SHIFTS}). */
export function getChannelShift(name: string): ChannelShift {
  return findChannelShift(CHANNEL_SHIFTS, name);
}

/** The platform-independent shifts, in registry order (a copy). */
export function listChannelShifts(): ChannelShift[] {
  return [...CHANNEL_SHIFTS];
}
