/**
 * bench/serve: a bounded loopback load test of `trustser serve`. The server runs as its own
 * process (the CLI from the sources), with an exported `trust-ser-cnn` of default size (log-mel,
 * 4 s crop; trained one epoch on the synthesized corpus — the weights do not change the cost) and
 * the default limits; autocannon then POSTs a ≈ 3 s clip (RAVDESS, or a synthesized one without
 * /work/shared) as audio/wav over N connections for D seconds, after a single-connection pass for
 * the unloaded latency. Reports requests/s, audio seconds analyzed per second, p50/p99 latency
 * and errors, into bench/RESULTS.md.
 * Usage: npm run bench:serve [-- --seconds 10 --connections 8 --concurrency 2 --model model.onnx]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { decodeAudio, durationSeconds, encodeWav16 } from '../../src/audio/index.js';
import { exportRun } from '../../src/runtime/export/index.js';
import { parseRunConfig } from '../../src/train/config.js';
import { trainRun } from '../../src/train/run.js';
import { packageRoot } from '../../src/util/paths.js';
import { machineLine, writeResultsSection } from '../results.js';

const RAVDESS_CLIP = join(packageRoot(), '..', 'shared', 'data', 'ravdess-speech-16k', 'Actor_01', '03-01-01-01-01-01-01.wav');
/** The synthesized stand-in: 3 s of a harmonic tone with syllable-rate loudness (Hz, s). */
const SYNTH = { rateHz: 16000, seconds: 3, f0Hz: 180, syllableHz: 4 } as const;
const WARMUP_REQUESTS = 5;
const UNLOADED_SECONDS = 4;
const SERVER_START_MS = 120_000;

interface Pass {
  connections: number;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

function synthesizedWav(): Uint8Array {
  const x = new Float32Array(SYNTH.rateHz * SYNTH.seconds);
  for (let i = 0; i < x.length; i++) {
    const t = i / SYNTH.rateHz;
    const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * SYNTH.syllableHz * t);
    let v = 0;
    for (let h = 1; h <= 4; h++) v += Math.sin(2 * Math.PI * SYNTH.f0Hz * h * t) / h;
    x[i] = 0.25 * env * v;
  }
  return encodeWav16(x, SYNTH.rateHz);
}

/** Trains and exports the benchmark model (default-size trust-ser-cnn) unless `--model` names one. */
async function benchModel(out: string): Promise<string> {
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

/** Starts `trustser serve` on a free loopback port; resolves with its URL. */
function startServer(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const entry = join(packageRoot(), 'test', 'helpers', 'cli-entry.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', entry, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start within ${SERVER_START_MS / 1000} s: ${err}`)), SERVER_START_MS);
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d));
    child.on('exit', (code) => reject(new Error(`the server exited (${code}): ${err.trim()}`)));
  });
}

async function pass(url: string, body: Buffer, connections: number, seconds: number): Promise<Pass> {
  const r = await autocannon({ url: `${url}/v1/analyze`, method: 'POST', headers: { 'content-type': 'audio/wav' }, body, connections, duration: seconds, timeout: 30 });
  return {
    connections, seconds: r.duration, requestsPerSecond: r.requests.average, p50: r.latency.p50, p99: r.latency.p99,
    errors: r.errors, non2xx: r.non2xx, total: r['2xx'] + r.non2xx,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '8' },
      concurrency: { type: 'string', default: '2' },
      model: { type: 'string' },
    },
  });
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const concurrency = Number(values.concurrency);
  const out = join(packageRoot(), 'bench', 'out', 'serve');
  mkdirSync(out, { recursive: true });
  const modelPath = values.model ?? (await benchModel(out));
  const real = existsSync(RAVDESS_CLIP);
  const clip = Buffer.from(real ? readFileSync(RAVDESS_CLIP) : synthesizedWav());
  if (!real) writeFileSync(join(out, 'synthetic-3s.wav'), clip);
  const clipSeconds = durationSeconds(await decodeAudio(new Uint8Array(clip), 'clip'));

  const load = loadavg()[0];
  const { url, child } = await startServer(['--model', modelPath, '--concurrency', String(concurrency), '--threads', '1', '--queue', String(Math.max(16, connections))]);
  try {
    for (let i = 0; i < WARMUP_REQUESTS; i++) {
      const res = await fetch(`${url}/v1/analyze`, { method: 'POST', body: clip, headers: { 'content-type': 'audio/wav' } });
      if (res.status !== 200) throw new Error(`warm-up request failed: ${res.status} ${await res.text()}`);
    }
    const info = (await (await fetch(`${url}/v1/model`)).json()) as { model: { name: string; params: number }; windowing: { windowSeconds: number; hopSeconds: number } };
    const unloaded = await pass(url, clip, 1, UNLOADED_SECONDS);
    const loaded = await pass(url, clip, connections, seconds);
    const row = (p: Pass, what: string) =>
      `| ${what} | ${p.connections} | ${p.requestsPerSecond.toFixed(1)} | ${(p.requestsPerSecond * clipSeconds).toFixed(1)} | ${p.p50} | ${p.p99} | ${p.total} | ${p.errors + p.non2xx} |`;
    const md = [
      '## HTTP service (`npm run bench:serve`)',
      '',
      `${machineLine()}; ${availableParallelism()} cores shared by the server and the load generator (loopback), 1-min load average ${load.toFixed(1)} before the run. \`trustser serve\` with ${info.model.name} (${info.model.params.toLocaleString('en')} parameters, log-mel, windows of ${info.windowing.windowSeconds} s every ${info.windowing.hopSeconds} s), --concurrency ${concurrency}, 1 ONNX Runtime thread per analysis; each request POSTs a ${clipSeconds.toFixed(2)} s 16 kHz WAV (${real ? 'RAVDESS Actor_01 03-01-01-01-01-01-01' : 'synthesized'}, ${(clip.length / 1024).toFixed(0)} KiB) and gets the full analysis (decode, features, per-window posteriors). autocannon, after ${WARMUP_REQUESTS} warm-up requests.`,
      '',
      '| pass | connections | requests/s | audio s analyzed per s | p50 latency (ms) | p99 latency (ms) | requests | errors + non-2xx |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      row(unloaded, `unloaded, ${UNLOADED_SECONDS} s`),
      row(loaded, `load, ${seconds} s`),
    ].join('\n');
    const path = writeResultsSection('serve', md);
    process.stdout.write(`${md}\n\nwritten to ${path}\n`);
    if (loaded.errors + loaded.non2xx + unloaded.errors + unloaded.non2xx > 0) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
  }
}

await main();
