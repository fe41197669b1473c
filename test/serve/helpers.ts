// Fixtures of the service tests: a tiny trained and exported SER model, a hand-built spoof graph of
// the service's contract with an independently computed expected score, test signals, and a
// RAVDESS clip (or a synthesized stand-in when the shared data is absent).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainRun } from '../../src/train/run.js';
import { exportRun } from '../../src/runtime/export/index.js';
import { GraphBuilder, reduceMean } from '../../src/runtime/onnx/index.js';
import { fitAasistInput } from '../../src/models/aasist/input.js';
import { windowStarts } from '../../src/models/aasist/windows.js';
import { AASIST_SAMPLES } from '../../src/models/aasist/config.js';
import { makeRng } from '../../src/core/index.js';
import { syntheticRunConfig } from '../helpers/runs.js';
import { RAVDESS_DIR, wavFromFloat } from '../audio/helpers.js';

const RATE = 16000;
/** The RAVDESS clip the brief names (3.3 s, neutral, actor 1). */
const RAVDESS_CLIP = join(RAVDESS_DIR, 'Actor_01', '03-01-01-01-01-01-01.wav');

/** Trains a one-epoch log-mel model on the synthesized corpus and exports it; returns the model path. */
export async function tinyModel(dir: string): Promise<string> {
  const run = join(dir, 'run');
  const corpus = { name: 'synthetic', options: { perClassPerSpeaker: 2 } };
  await trainRun(syntheticRunConfig({ corpus, training: { epochs: 1, batchSize: 16, lr: 3e-3, threads: 1 }, folds: [0] }), run, {
    cacheDir: join(dir, 'cache'),
    workers: 0,
  });
  const out = join(dir, 'model.onnx');
  await exportRun(run, out);
  return out;
}

/**
 * Trains a logistic regression on every layer of the speech-embedding backbone, on the speech
 * region Silero VAD finds (both pretrained models run in the features), and exports it; returns
 * the model path (file `name`).
 */
export async function tinyBackboneModel(dir: string, name = 'backbone.onnx'): Promise<string> {
  const run = join(dir, `run-${name}`);
  const cfg = syntheticRunConfig({
    corpus: { name: 'synthetic', options: { perClassPerSpeaker: 2 } },
    features: { set: 'speech-embedding-stats', overrides: { layers: 'all', vad: 'silero' } },
    model: { name: 'logreg' },
    training: { epochs: 3, batchSize: 16, lr: 1e-2, threads: 1 },
    folds: [0],
  });
  await trainRun(cfg, run, { cacheDir: join(dir, 'cache'), workers: 0 });
  const out = join(dir, name);
  await exportRun(run, out);
  return out;
}

/** Small checkpoints of the backbone tests (scripts/fixtures/make-{wavlm,whisper,s3prl}-fixtures.py). */
const BACKBONE_FIXTURES = {
  wavlm: fileURLToPath(new URL('../backbones/fixtures/wavlm/base-hf', import.meta.url)),
  whisper: fileURLToPath(new URL('../backbones/fixtures/whisper/a-openai.pt', import.meta.url)),
  apc: fileURLToPath(new URL('../backbones/fixtures/s3prl/apc.ckpt', import.meta.url)),
};

/**
 * Trains Trust-SER's downstream on every layer of a small `backbone` checkpoint and exports it
 * (the backbone becomes `<name minus .onnx>.backbone.onnx` beside the model); returns the model path.
 */
export async function tinyEngineBackboneModel(dir: string, backbone: keyof typeof BACKBONE_FIXTURES): Promise<string> {
  const name = `${backbone}.onnx`;
  const run = join(dir, `run-${name}`);
  const cfg = syntheticRunConfig({
    corpus: { name: 'synthetic', options: { perClassPerSpeaker: 2 } },
    features: { set: backbone, overrides: { weights: BACKBONE_FIXTURES[backbone] }, maxFrames: 100 },
    model: { name: 'trust-ser-cnn', options: { hiddenSize: 8 } },
    training: { epochs: 1, batchSize: 16, lr: 3e-3, threads: 1 },
    folds: [0],
  });
  await trainRun(cfg, run, { cacheDir: join(dir, 'cache'), workers: 0 });
  const out = join(dir, name);
  await exportRun(run, out);
  return out;
}

/** Weights of the toy countermeasure: spoof logit = A·mean(x²), bona fide logit = B·mean(|x|) + C. */
const SPOOF_TOY = { a: 40, b: 12, c: -0.25 } as const;

/** Writes the toy countermeasure (input `wave` [batch, 64600], output `logits` [batch, 2]); returns its path. */
export function spoofModel(dir: string): string {
  const g = new GraphBuilder('toy-countermeasure');
  const x = g.input('wave', 'float32', ['batch', AASIST_SAMPLES]);
  const energy = reduceMean(g, g.node('Mul', [x, x]), [1], true);
  const level = reduceMean(g, g.node('Abs', [x]), [1], true);
  const both = g.node('Concat', [energy, level], { axis: 1 });
  const logits = g.node('Add', [
    g.node('Mul', [both, g.constant([SPOOF_TOY.a, SPOOF_TOY.b], 'float32', [1, 2])]),
    g.constant([0, SPOOF_TOY.c], 'float32', [1, 2]),
  ]);
  g.output(logits, 'logits', 'float32', ['batch', 2]);
  const path = join(dir, 'spoof.onnx');
  writeFileSync(path, g.serialize({ producerName: 'trustser-test', producerVersion: '0' }));
  return path;
}

/** The toy's logits [spoof, bona fide] for a 16 kHz clip, computed directly (float64): the mean over the clip's windows. */
export function toyLogits(samples16k: Float32Array): [number, number] {
  const starts = windowStarts(samples16k.length, AASIST_SAMPLES, AASIST_SAMPLES);
  const sum: [number, number] = [0, 0];
  for (const s of starts) {
    const x = fitAasistInput(samples16k.subarray(s, s + AASIST_SAMPLES), AASIST_SAMPLES);
    let e = 0;
    let l = 0;
    for (const v of x) {
      e += v * v;
      l += Math.abs(v);
    }
    sum[0] += SPOOF_TOY.a * (e / x.length);
    sum[1] += SPOOF_TOY.b * (l / x.length) + SPOOF_TOY.c;
  }
  return [sum[0] / starts.length, sum[1] / starts.length];
}

/** A voiced-speech-like test signal: a 140–220 Hz harmonic tone with syllable-rate loudness and a little noise. */
export function speechLike(seconds: number, rateHz = RATE, seed = 3): Float32Array {
  const rng = makeRng(seed);
  const n = Math.round(seconds * rateHz);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / rateHz;
    const f0 = 180 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
    const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
    let v = 0;
    for (let h = 1; h <= 4; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
    x[i] = 0.25 * env * v + 0.01 * (2 * rng.next() - 1);
  }
  return x;
}

/** A 16-bit WAV of {@link speechLike}. */
export function speechWav(seconds: number, rateHz = RATE, seed = 3): Uint8Array {
  return wavFromFloat(speechLike(seconds, rateHz, seed), rateHz);
}

/** The RAVDESS clip, or (shared data absent) a synthesized 3.3 s WAV written to `dir`. */
export function ravdessOrSynthetic(dir: string): { path: string; real: boolean } {
  if (existsSync(RAVDESS_CLIP)) return { path: RAVDESS_CLIP, real: true };
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'synthetic-3.3s.wav');
  writeFileSync(path, speechWav(3.3));
  return { path, real: false };
}

/** POSTs `body` to `url` (raw, with `type`), returning the status, headers and parsed JSON. */
export async function postRaw(
  url: string,
  body: Uint8Array | string,
  type: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': type, ...headers } });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

/** POSTs `bytes` as the multipart file field `field` named `name`. */
export async function postFile(url: string, bytes: Uint8Array, name: string, field = 'file'): Promise<{ status: number; json: any }> {
  const form = new FormData();
  form.append(field, new Blob([bytes], { type: 'audio/wav' }), name);
  const res = await fetch(url, { method: 'POST', body: form });
  return { status: res.status, json: await res.json() };
}

/** GETs `url` and parses JSON. */
export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

/** Polls `check` every few ms until it holds (or fails after `timeoutMs`). */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
