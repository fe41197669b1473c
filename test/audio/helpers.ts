/**
 * Shared helpers for the audio tests: a hand-rolled WAV writer, test signals, sine fitting,
 * and access to SoX and the shared data folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Project root (two levels above this file). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Shared real-speech data (absent on some machines; tests then skip). */
const SHARED_DATA = join(ROOT, '..', 'shared', 'data');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'audio');

export const RAVDESS_DIR = join(SHARED_DATA, 'ravdess-speech-16k');
export const LIBRISPEECH_DIR = join(SHARED_DATA, 'librispeech-test-other-subset');
/** TESS as FLAC at 16 kHz (2800 clips, 2 speakers). */
export const TESS_DIR = join(SHARED_DATA, 'tess-16k');

/** Skip reason when a shared-data folder is absent, else false (for `{ skip }`). */
export function sharedSkip(dir: string): string | false {
  return existsSync(dir) ? false : `shared data not found at ${dir}; skipping (see ../shared/data/README.md)`;
}

let soxChecked: boolean | undefined;
/** True when the `sox` command runs. */
export function hasSox(): boolean {
  soxChecked ??= spawnSync('sox', ['--version'], { encoding: 'utf8' }).status === 0;
  return soxChecked;
}

/** Audio file formats the installed SoX can write (from `sox -h`). */
export function soxFormats(): Set<string> {
  const r = spawnSync('sox', ['-h'], { encoding: 'utf8' });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('AUDIO FILE FORMATS:')) ?? '';
  return new Set(line.replace('AUDIO FILE FORMATS:', '').trim().split(/\s+/));
}

/** Runs sox with the given arguments; throws with its stderr on failure. */
export function sox(args: string[]): void {
  const r = spawnSync('sox', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sox ${args.join(' ')} failed: ${r.stderr}`);
}

/** Decodes a file with SoX to 16-bit integers (one array, interleaved). */
export function soxToInt16(path: string): Int16Array {
  const r = spawnSync('sox', [path, '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-L', '-'], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`sox could not decode ${path}: ${r.stderr}`);
  const b = r.stdout as Buffer;
  return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** A fresh temporary directory and its cleanup function. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'trustser-audio-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `amplitude · sin(2π f i / fs + phase)` for i < n. */
export function tone(freqHz: number, sampleRateHz: number, n: number, amplitude = 1, phase = 0): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amplitude * Math.sin((2 * Math.PI * freqHz * i) / sampleRateHz + phase);
  return x;
}

/**
 * Least-squares fit of a·cos + b·sin at a known frequency over samples [from, to):
 * returns the amplitude √(a² + b²) and the fitted sinusoid's residual RMS.
 */
export function fitSine(
  y: ArrayLike<number>,
  freqHz: number,
  sampleRateHz: number,
  from = 0,
  to = y.length,
): { amplitude: number; residualRms: number } {
  let cc = 0;
  let ss = 0;
  let cs = 0;
  let yc = 0;
  let ys = 0;
  const w = (2 * Math.PI * freqHz) / sampleRateHz;
  for (let i = from; i < to; i++) {
    const c = Math.cos(w * i);
    const s = Math.sin(w * i);
    cc += c * c;
    ss += s * s;
    cs += c * s;
    yc += y[i] * c;
    ys += y[i] * s;
  }
  const det = cc * ss - cs * cs;
  const a = (yc * ss - ys * cs) / det;
  const b = (ys * cc - yc * cs) / det;
  let r = 0;
  for (let i = from; i < to; i++) {
    const e = y[i] - a * Math.cos(w * i) - b * Math.sin(w * i);
    r += e * e;
  }
  return { amplitude: Math.hypot(a, b), residualRms: Math.sqrt(r / (to - from)) };
}

/** RMS over [from, to). */
export function rms(y: ArrayLike<number>, from = 0, to = y.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += y[i] * y[i];
  return Math.sqrt(s / (to - from));
}

/** Largest normalised cross-correlation of a and b over lags in [-maxLag, maxLag], with its lag. */
export function bestCorrelation(a: ArrayLike<number>, b: ArrayLike<number>, maxLag: number): { r: number; lag: number } {
  let best = { r: -Infinity, lag: 0 };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = 0; i < a.length; i++) {
      const j = i + lag;
      if (j < 0 || j >= b.length) continue;
      ab += a[i] * b[j];
      aa += a[i] * a[i];
      bb += b[j] * b[j];
    }
    const r = ab / Math.sqrt(aa * bb);
    if (r > best.r) best = { r, lag };
  }
  return best;
}

// ---------------------------------------------------------------------------------------
// WAV writer (independent of src/audio/wav.ts, so the parser is checked against the spec)

export type WavSampleFormat = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64';

export interface WavSpec {
  format: WavSampleFormat;
  sampleRateHz: number;
  /** Planar samples, already in the target representation: integers for PCM (unsigned for 8-bit), floats otherwise. */
  channels: number[][];
  /** Write a WAVE_FORMAT_EXTENSIBLE header. */
  extensible?: boolean;
  /** Override the format tag written (e.g. 0x55 for MP3-in-WAV). */
  formatTag?: number;
  /** Add an odd-sized LIST chunk (with its pad byte) before 'data'. */
  oddListChunk?: boolean;
  /** Override the declared 'data' size. */
  dataSizeOverride?: number;
}

const BYTES: Record<WavSampleFormat, number> = { pcm8: 1, pcm16: 2, pcm24: 3, pcm32: 4, float32: 4, float64: 8 };

/** Builds WAV file bytes from explicit sample values. */
export function makeWav(spec: WavSpec): Uint8Array {
  const nCh = spec.channels.length;
  const frames = nCh ? spec.channels[0].length : 0;
  const bps = BYTES[spec.format];
  const isFloat = spec.format.startsWith('float');
  const blockAlign = nCh * bps;
  const dataBytes = frames * blockAlign;
  const fmtBytes = spec.extensible ? 40 : 16;
  const list = spec.oddListChunk
    ? [...'LIST']
        .map((c) => c.charCodeAt(0))
        .concat(
          [5, 0, 0, 0],
          [...'INFOx'].map((c) => c.charCodeAt(0)),
          [0],
        )
    : [];
  const total = 12 + 8 + fmtBytes + list.length + 8 + dataBytes;
  const b = new Uint8Array(total);
  const dv = new DataView(b.buffer);
  const str = (o: number, s: string): void => [...s].forEach((c, i) => (b[o + i] = c.charCodeAt(0)));
  str(0, 'RIFF');
  dv.setUint32(4, total - 8, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  dv.setUint32(16, fmtBytes, true);
  const tag = spec.formatTag ?? (isFloat ? 3 : 1);
  dv.setUint16(20, spec.extensible ? 0xfffe : tag, true);
  dv.setUint16(22, nCh, true);
  dv.setUint32(24, spec.sampleRateHz, true);
  dv.setUint32(28, spec.sampleRateHz * blockAlign, true);
  dv.setUint16(32, blockAlign, true);
  dv.setUint16(34, bps * 8, true);
  let o = 36;
  if (spec.extensible) {
    dv.setUint16(36, 22, true); // cbSize
    dv.setUint16(38, bps * 8, true); // valid bits
    dv.setUint32(40, nCh === 2 ? 3 : 0, true); // channel mask
    dv.setUint16(44, tag, true); // SubFormat GUID: tag + 0000-0010-8000-00AA00389B71
    b.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 46);
    o = 60;
  }
  b.set(list, o);
  o += list.length;
  str(o, 'data');
  dv.setUint32(o + 4, spec.dataSizeOverride ?? dataBytes, true);
  o += 8;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nCh; c++, o += bps) {
      const v = spec.channels[c][i];
      switch (spec.format) {
        case 'pcm8':
          dv.setUint8(o, v);
          break;
        case 'pcm16':
          dv.setInt16(o, v, true);
          break;
        case 'pcm24':
          dv.setUint8(o, v & 0xff);
          dv.setUint8(o + 1, (v >> 8) & 0xff);
          dv.setUint8(o + 2, (v >> 16) & 0xff);
          break;
        case 'pcm32':
          dv.setInt32(o, v, true);
          break;
        case 'float32':
          dv.setFloat32(o, v, true);
          break;
        case 'float64':
          dv.setFloat64(o, v, true);
          break;
      }
    }
  }
  return b;
}

/** A 16-bit PCM mono WAV of the given float signal (rounded, clipped). */
export function wavFromFloat(x: ArrayLike<number>, sampleRateHz: number): Uint8Array {
  const ints = Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
  return makeWav({ format: 'pcm16', sampleRateHz, channels: [ints] });
}
