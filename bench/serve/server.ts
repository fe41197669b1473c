/**
 * Helpers of bench/serve: the benchmark model, test clips, a `trustser serve` child process on a
 * free loopback port, its resident memory, and latency percentiles.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav16 } from '../../src/audio/index.js';
import { exportRun } from '../../src/runtime/export/index.js';
import { parseRunConfig } from '../../src/run/config.js';
import { trainRun } from '../../src/train/run.js';
import { packageRoot } from '../../src/core/paths.js';

const SERVER_START_MS = 120_000;

/**
 * A speech-like clip (harmonic tone with syllable-rate loudness) as a 16 kHz WAV.
 * @param seconds duration (s)
 */
export function speechClip(seconds: number, seed = 1): Buffer {
  const rate = 16000;
  const x = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < x.length; i++) {
    const t = i / rate;
    const f0 = 160 + 30 * seed + 40 * Math.sin(2 * Math.PI * 0.5 * t);
    const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
    let v = 0;
    for (let h = 1; h <= 4; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
    x[i] = 0.25 * env * v;
  }
  return Buffer.from(encodeWav16(x, rate));
}

/** RAVDESS' first clip when the shared data is present, else a synthesized one (with its name). */
export function realClip(): { bytes: Buffer; name: string } {
  const p = join(packageRoot(), '..', 'shared', 'data', 'ravdess-speech-16k', 'Actor_01', '03-01-01-01-01-01-01.wav');
  return existsSync(p)
    ? { bytes: readFileSync(p), name: 'RAVDESS Actor_01 03-01-01-01-01-01-01' }
    : { bytes: speechClip(3.3), name: 'synthesized' };
}

/** Trains and exports the benchmark model (default-size trust-ser-cnn, log-mel) into `out` once. */
export async function benchModel(out: string): Promise<string> {
  const model = join(out, 'model.onnx');
  if (existsSync(model)) return model;
  const cfg = parseRunConfig({
    corpus: { name: 'synthetic', options: { perClassPerSpeaker: 2 } },
    protocol: { kind: 'speaker-kfold', folds: 3, devSpeakers: 1 },
    features: { set: 'logmel' },
    model: { name: 'trust-ser-cnn' },
    training: { epochs: 1, batchSize: 16, lr: 1e-3, threads: 1 },
    folds: [0],
  });
  await trainRun(cfg, join(out, 'run'), { cacheDir: join(out, 'cache'), workers: 0 });
  await exportRun(join(out, 'run'), model);
  return model;
}

/** A running `trustser serve` child process. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stop(): void;
}

/** Starts `trustser serve` (from the sources) on a free loopback port with `args`. */
export function startServer(args: string[]): Promise<ServerProcess> {
  const entry = join(packageRoot(), 'test', 'helpers', 'cli-entry.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', entry, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`the server did not start within ${SERVER_START_MS / 1000} s: ${err}`)),
      SERVER_START_MS,
    );
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child, stop: () => child.kill('SIGTERM') });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d));
    child.on('exit', (code) => reject(new Error(`the server exited (${code}): ${err.trim()}`)));
  });
}

/** Resident set size of a process (MiB), from /proc. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The q-quantile (0…1) of `xs` (nearest rank). */
export function percentile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** Polls `GET /healthz` every `everyMs` until `stop()`; resolves with every latency (ms). */
export function watchHealth(url: string, everyMs: number): { stop: () => Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      const r = await fetch(`${url}/healthz`);
      await r.arrayBuffer();
      latencies.push(performance.now() - t0);
      await new Promise((res) => setTimeout(res, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return latencies;
    },
  };
}
