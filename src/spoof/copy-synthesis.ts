/**
 * Copy-synthesis of real speech with SPTK (Debian `sptk`): the source's F0 track (SWIPE') and
 * mel-cepstral envelope are extracted and the speech is rebuilt from a pulse/noise excitation
 * through the MLSA filter. Content, prosody and speaker are the source's; only the waveform is
 * generated — the hardest spoofs for a detector that keys on content or prosody.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeWav16, loadAudio } from '../audio/index.js';
import { runTool } from './tool.js';

/** Analysis rate (Hz): SPTK's settings below assume it. */
const COPY_SAMPLE_RATE_HZ = 16_000;
/** Frame length and shift (samples at 16 kHz: 25 ms, 5 ms), FFT size. */
const FRAME_SAMPLES = 400;
const HOP_SAMPLES = 80;
const FFT_SIZE = 512;
/** Mel-cepstrum order and all-pass constant (0.42 approximates the mel scale at 16 kHz). */
const MCEP_ORDER = 24;
const MCEP_ALPHA = 0.42;
/** F0 search range (Hz) of the pitch tracker. */
const F0_MIN_HZ = 60;
const F0_MAX_HZ = 500;
/** SPTK reads speech at 16-bit scale. */
const INT16_SCALE = 32768;
/** Peak of the rebuilt signal before it is written (linear). */
const OUTPUT_PEAK = 0.5;

const PACKAGES = ['sptk'];

function floats(buf: Buffer): Float32Array {
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return new Float32Array(copy.buffer, 0, Math.floor(buf.byteLength / 4));
}

const bytes = (x: Float32Array) => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);

/**
 * Re-synthesizes `sourcePath` (any format `loadAudio` reads) into `outWav` (16 kHz mono WAV).
 * Temporary files live in `workDir` and are removed.
 */
export async function copySynthesize(sourcePath: string, outWav: string, workDir: string): Promise<void> {
  const { samples } = await loadAudio(sourcePath, { sampleRateHz: COPY_SAMPLE_RATE_HZ });
  const speech = Float32Array.from(samples, (v) => v * INT16_SCALE);
  const what = { what: `copy-synthesis of ${sourcePath}`, packages: PACKAGES };
  const sptk = (args: string[], input: Uint8Array) => runTool('sptk', args, { ...what, input });
  const mcepFile = join(workDir, `${process.pid}-${Math.random().toString(36).slice(2)}.mcep`);
  try {
    const pitch = await sptk(
      [
        'pitch',
        '-a',
        '1',
        '-s',
        String(COPY_SAMPLE_RATE_HZ / 1000),
        '-p',
        String(HOP_SAMPLES),
        '-L',
        String(F0_MIN_HZ),
        '-H',
        String(F0_MAX_HZ),
        '-o',
        '0',
      ],
      bytes(speech),
    );
    const frames = await sptk(['frame', '-l', String(FRAME_SAMPLES), '-p', String(HOP_SAMPLES)], bytes(speech));
    const windowed = await sptk(['window', '-l', String(FRAME_SAMPLES), '-L', String(FFT_SIZE)], frames);
    const mcep = await sptk(['mcep', '-l', String(FFT_SIZE), '-m', String(MCEP_ORDER), '-a', String(MCEP_ALPHA), '-e', '1e-8'], windowed);
    await writeFile(mcepFile, mcep);
    const excitation = await sptk(['excite', '-p', String(HOP_SAMPLES)], pitch);
    const rebuilt = floats(
      await sptk(['mlsadf', '-m', String(MCEP_ORDER), '-a', String(MCEP_ALPHA), '-p', String(HOP_SAMPLES), mcepFile], excitation),
    );
    let peak = 0;
    for (const v of rebuilt) {
      if (!Number.isFinite(v)) throw new Error(`spoof: copy-synthesis of ${sourcePath} produced a non-finite sample`);
      peak = Math.max(peak, Math.abs(v));
    }
    if (peak === 0) throw new Error(`spoof: copy-synthesis of ${sourcePath} produced silence`);
    const out = Float32Array.from(rebuilt, (v) => (v / peak) * OUTPUT_PEAK);
    await writeFile(outWav, encodeWav16(out, COPY_SAMPLE_RATE_HZ));
  } finally {
    await rm(mcepFile, { force: true });
  }
}
