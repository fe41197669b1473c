/**
 * bench/serve: bounded loopback load tests of `trustser serve` (a separate process, the CLI from
 * the sources), with an exported `trust-ser-cnn` of default size (log-mel; trained one epoch on
 * the synthesized corpus — the weights do not change the cost):
 *  1. throughput: autocannon POSTs a 4 s clip over N connections, with 1 and with 2 analysis
 *     workers (requests/s, p50/p99), after an unloaded single-connection pass;
 *  2. saturation: every worker busy with 60 s clips while /healthz is polled (its p50/p99);
 *  3. soak: for a fixed time, clients send a mix of 1 s, 4 s and 60 s clips and malformed
 *     requests (undecodable bytes, wrong content type, truncated multipart, no body): answers by
 *     status, latency by kind, /healthz p99, and the server's resident memory before and after.
 * Writes its section of bench/RESULTS.md; exits 1 when a valid request failed or a 5xx came back.
 * Usage: npm run bench:serve [-- --seconds 10 --connections 8 --soak-seconds 60 --model model.onnx]
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { makeRng } from '../../src/core/index.js';
import { packageRoot } from '../../src/core/paths.js';
import { machineLine, writeResultsSection } from '../results.js';
import { benchModel, percentile, realClip, rssMb, speechClip, startServer, watchHealth } from './server.js';

const WARMUP_REQUESTS = 5;
const UNLOADED_SECONDS = 4;
const HEALTH_POLL_MS = 20;
/** Goal of issue "Speed and scale": /healthz p99 while the pool is saturated (ms). */
const HEALTH_P99_GOAL_MS = 50;

interface Pass {
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  failed: number;
}

async function pass(url: string, body: Buffer, connections: number, seconds: number): Promise<Pass> {
  const r = await autocannon({
    url: `${url}/v1/analyze`,
    method: 'POST',
    headers: { 'content-type': 'audio/wav' },
    body,
    connections,
    duration: seconds,
    timeout: 30,
  });
  return {
    connections,
    requestsPerSecond: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r['2xx'] + r.non2xx,
    failed: r.errors + r.non2xx,
  };
}

async function warm(url: string, body: Buffer): Promise<void> {
  for (let i = 0; i < WARMUP_REQUESTS; i++) {
    const res = await fetch(`${url}/v1/analyze`, { method: 'POST', body, headers: { 'content-type': 'audio/wav' } });
    if (res.status !== 200) throw new Error(`warm-up request failed: ${res.status} ${await res.text()}`);
  }
}

/** The soak's request kinds: what to send and whether it is a valid request. */
function soakKinds(): { name: string; valid: boolean; make: () => { body: Buffer | string | undefined; type: string } }[] {
  const short = speechClip(1, 1),
    medium = speechClip(4, 2),
    long = speechClip(60, 3);
  const junk = Buffer.from('RIFF\u0010\u0000\u0000\u0000WAVEfmt garbage that is not audio at all');
  const cut = Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="x.wav"\r\n\r\nRIFF');
  return [
    { name: '1 s clip', valid: true, make: () => ({ body: short, type: 'audio/wav' }) },
    { name: '4 s clip', valid: true, make: () => ({ body: medium, type: 'audio/wav' }) },
    { name: '60 s clip', valid: true, make: () => ({ body: long, type: 'audio/wav' }) },
    { name: 'undecodable bytes', valid: false, make: () => ({ body: junk, type: 'audio/wav' }) },
    { name: 'JSON body', valid: false, make: () => ({ body: '{"audio":1}', type: 'application/json' }) },
    { name: 'truncated multipart', valid: false, make: () => ({ body: cut, type: 'multipart/form-data; boundary=b' }) },
    { name: 'no body', valid: false, make: () => ({ body: undefined, type: 'audio/wav' }) },
  ];
}

interface SoakResult {
  statuses: Record<string, number>;
  byKind: Record<string, number[]>;
  requests: number;
  validFailed: number;
  serverErrors: number;
  seconds: number;
}

/** `clients` loops sending random soak requests until `seconds` have passed. */
async function soak(url: string, clients: number, seconds: number): Promise<SoakResult> {
  const kinds = soakKinds();
  const rng = makeRng(11);
  const end = performance.now() + seconds * 1000;
  const r: SoakResult = { statuses: {}, byKind: {}, requests: 0, validFailed: 0, serverErrors: 0, seconds };
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const k = kinds[rng.int(kinds.length)];
        const { body, type } = k.make();
        const t0 = performance.now();
        let status: string;
        try {
          const res = await fetch(`${url}/v1/analyze`, {
            method: 'POST',
            body,
            headers: { 'content-type': type },
            signal: AbortSignal.timeout(60_000),
          });
          await res.arrayBuffer();
          status = String(res.status);
        } catch (e) {
          status = `client error (${(e as Error).name})`;
        }
        const times = r.byKind[k.name] ?? [];
        times.push(performance.now() - t0);
        r.byKind[k.name] = times;
        r.statuses[status] = (r.statuses[status] ?? 0) + 1;
        r.requests++;
        if (k.valid && status !== '200' && status !== '429') r.validFailed++;
        if (status.startsWith('5')) r.serverErrors++;
      }
    }),
  );
  return r;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '8' },
      'soak-seconds': { type: 'string', default: '60' },
      model: { type: 'string' },
    },
  });
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const soakSeconds = Number(values['soak-seconds']);
  const out = join(packageRoot(), 'bench', 'out', 'serve');
  mkdirSync(out, { recursive: true });
  const modelPath = values.model ?? (await benchModel(out));
  const clip4 = speechClip(4);
  const clip60 = speechClip(60);
  const real = realClip();
  const load = loadavg()[0];
  const base = ['--model', modelPath, '--threads', '1', '--queue', String(Math.max(16, connections))];

  // 1. Throughput with 1 and 2 workers.
  const throughput: { workers: number; unloaded: Pass; loaded: Pass; real: Pass }[] = [];
  for (const workers of [1, 2]) {
    const s = await startServer([...base, '--concurrency', String(workers)]);
    try {
      await warm(s.url, clip4);
      const unloaded = await pass(s.url, clip4, 1, UNLOADED_SECONDS);
      const loaded = await pass(s.url, clip4, connections, seconds);
      const realPass = await pass(s.url, real.bytes, connections, seconds);
      throughput.push({ workers, unloaded, loaded, real: realPass });
      console.error(`${workers} worker(s): ${loaded.requestsPerSecond.toFixed(1)} req/s on 4 s clips`);
    } finally {
      s.stop();
    }
  }

  // 2 and 3 on one server with two workers.
  const s = await startServer([...base, '--concurrency', '2', '--timeout-ms', '60000']);
  let saturation: { health: number[]; analyses: Pass };
  let soakResult: SoakResult;
  let soakHealth: number[];
  let rss: { before: number; after: number; peak: number };
  try {
    await warm(s.url, clip4);
    const health = watchHealth(s.url, HEALTH_POLL_MS);
    const analyses = await pass(s.url, clip60, 4, seconds);
    saturation = { health: await health.stop(), analyses };
    console.error(`saturated: /healthz p99 ${percentile(saturation.health, 0.99).toFixed(1)} ms`);

    const before = rssMb(s.child.pid!);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(s.child.pid!))), 500);
    const watcher = watchHealth(s.url, HEALTH_POLL_MS * 5);
    soakResult = await soak(s.url, connections, soakSeconds);
    soakHealth = await watcher.stop();
    clearInterval(sampler);
    rss = { before, after: rssMb(s.child.pid!), peak };
    console.error(`soak: ${soakResult.requests} requests, statuses ${JSON.stringify(soakResult.statuses)}`);
  } finally {
    s.stop();
  }

  const healthP99 = percentile(saturation.health, 0.99);
  const row = (what: string, p: Pass) =>
    `| ${what} | ${p.connections} | ${p.requestsPerSecond.toFixed(1)} | ${p.p50} | ${p.p99} | ${p.total} | ${p.failed} |`;
  const one = throughput[0].loaded.requestsPerSecond,
    two = throughput[1].loaded.requestsPerSecond;
  const md = [
    '## HTTP service (`npm run bench:serve`)',
    '',
    `${machineLine()}; ${availableParallelism()} cores shared by the server and the load generator (loopback), 1-min load average ${load.toFixed(1)} before the run. \`trustser serve\` with trust-ser-cnn (log-mel, windows of 3 s every 1.5 s), analyses on a pool of worker threads (\`--concurrency\`), 1 ONNX Runtime thread each; every request gets the full analysis (decode, speech check, features, per-window posteriors). autocannon after ${WARMUP_REQUESTS} warm-up requests.`,
    '',
    '**Throughput on 4 s clips, 1 vs 2 workers**',
    '',
    '| workers · pass | connections | requests/s | p50 (ms) | p99 (ms) | requests | failed |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...throughput.flatMap((t) => [
      row(`${t.workers} · unloaded, 4 s clip`, t.unloaded),
      row(`${t.workers} · load, 4 s clip`, t.loaded),
      row(`${t.workers} · load, ${real.name} (3.3 s)`, t.real),
    ]),
    '',
    `Scaling 1 → 2 workers on 4 s clips: **${(two / one).toFixed(2)}×** (the load generator shares the 2 cores).`,
    '',
    `**Saturation:** 4 connections keep both workers busy with 60 s clips for ${seconds} s (${saturation.analyses.total} analyses, p50 ${saturation.analyses.p50} ms); meanwhile /healthz polled every ${HEALTH_POLL_MS} ms answered ${saturation.health.length} times: p50 ${percentile(saturation.health, 0.5).toFixed(1)} ms, p99 **${healthP99.toFixed(1)} ms** (goal < ${HEALTH_P99_GOAL_MS} ms: ${healthP99 < HEALTH_P99_GOAL_MS ? 'met' : 'not met'}).`,
    '',
    `**Soak:** ${connections} clients for ${soakSeconds} s sending a random mix of 1 s / 4 s / 60 s clips and malformed requests (undecodable bytes, a JSON body, a truncated multipart body, no body): ${soakResult.requests} requests (${(soakResult.requests / soakSeconds).toFixed(1)}/s); answers ${Object.entries(
      soakResult.statuses,
    )
      .sort()
      .map(([k, v]) => `${k}: ${v}`)
      .join(
        ', ',
      )}; valid requests failed: ${soakResult.validFailed}; 5xx: ${soakResult.serverErrors}. /healthz p99 during the soak ${percentile(soakHealth, 0.99).toFixed(1)} ms. Server RSS ${rss.before.toFixed(0)} MiB after warm-up, peak ${rss.peak.toFixed(0)} MiB, ${rss.after.toFixed(0)} MiB at the end (growth ${(rss.after - rss.before).toFixed(0)} MiB).`,
    '',
    '| soak request kind | count | p50 (ms) | p99 (ms) |',
    '|---|---:|---:|---:|',
    ...Object.entries(soakResult.byKind).map(
      ([k, xs]) => `| ${k} | ${xs.length} | ${percentile(xs, 0.5).toFixed(0)} | ${percentile(xs, 0.99).toFixed(0)} |`,
    ),
  ].join('\n');
  const path = writeResultsSection('serve', md);
  process.stdout.write(`${md}\n\nwritten to ${path}\n`);
  const anyFailed =
    throughput.some((t) => t.unloaded.failed + t.loaded.failed + t.real.failed > 0) ||
    saturation.analyses.failed > 0 ||
    soakResult.validFailed + soakResult.serverErrors > 0;
  if (anyFailed) process.exitCode = 1;
}

await main();
