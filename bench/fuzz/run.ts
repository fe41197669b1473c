/**
 * `npm run bench:fuzz`: the decoder property of test/audio/fuzz.test.ts on ≥ 100 000 mutated
 * WAV / FLAC / MP3 / Ogg Vorbis / Ogg Opus files (two worker threads, a watchdog that names a
 * hanging input), then the upload path of test/serve/fuzz.test.ts on 3 000 mutated uploads
 * against a running service. Writes its section of bench/RESULTS.md. Any violation aborts the
 * run with the failing input.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { startServer } from '../../src/serve/index.js';
import { runFuzz } from '../../test/helpers/fuzz-run.js';
import { caseArb, fuzzSeeds, mutate } from '../../test/helpers/fuzz.js';
import { tinyModel } from '../../test/serve/helpers.js';
import { machineLine, writeResultsSection } from '../results.js';

const DECODER_CASES_PER_WORKER = 60_000;
const WORKERS = 2;
const UPLOADS = 3_000;
const CLIENT_ERRORS = new Set([400, 413, 415, 422]);

const load = loadavg()[0].toFixed(2);
console.error(`decoders: ${WORKERS} × ${DECODER_CASES_PER_WORKER} cases`);
const dec = await runFuzz({
  runs: DECODER_CASES_PER_WORKER,
  seed: 1,
  workers: WORKERS,
  stallMs: 30_000,
  reportEvery: 500,
  onProgress: (n) => n % 10_000 < 500 && console.error(`  ${n} cases`),
});

const dir = mkdtempSync(join(tmpdir(), 'trustser-fuzz-'));
const statuses: Record<number, number> = {};
let uploadSeconds = 0;
try {
  const s = await startServer({ modelPath: await tinyModel(dir), port: 0, webDir: null, threads: 1, maxBodyMb: 1, timeoutMs: 20_000 });
  const seeds = fuzzSeeds();
  const t0 = performance.now();
  try {
    await fc.assert(
      fc.asyncProperty(
        caseArb(seeds.length),
        fc.constantFrom('audio/wav', 'audio/mpeg', 'application/octet-stream', 'audio/x-made-up', 'text/plain'),
        async (c, type) => {
          const res = await fetch(`${s.url}/v1/analyze`, {
            method: 'POST',
            body: mutate(seeds[c.seed].bytes, c.mutations),
            headers: { 'content-type': type },
            signal: AbortSignal.timeout(30_000),
          });
          const json = (await res.json()) as { error?: { code: string } };
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status !== 200 && !(CLIENT_ERRORS.has(res.status) && json.error?.code))
            throw new Error(`${res.status} ${JSON.stringify(json)} for ${seeds[c.seed].name} as ${type}`);
        },
      ),
      { numRuns: UPLOADS, seed: 7, endOnFailure: true },
    );
  } finally {
    uploadSeconds = (performance.now() - t0) / 1000;
    await s.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const rows = Object.entries(dec.outcomes)
  .sort((a, b) => b[1] - a[1])
  .map(([k, v]) => `| ${k} | ${v} |`);
const md = `## Fuzzing the decoders and the upload path (\`npm run bench:fuzz\`)

${machineLine()}; load average ${load} at the start. Seeds: WAV (PCM 16, float 32 stereo, PCM 24 extensible), FLAC and Ogg Vorbis (SoX), MP3 and Ogg Opus (fixtures); fast-check mutations (bit flips, byte and 32-bit length-field overwrites, truncation, insertion, deletion, duplication, half of them in the first 64 bytes). Property: \`decodeAudio\` returns well-formed audio (equal-length channels, finite samples, a positive rate) or throws one \`AudioError\` naming the input; a watchdog stops a worker silent for 30 s.

**${dec.cases} decoder inputs in ${dec.seconds.toFixed(0)} s: no crash, no hang, no other error.**

| outcome | inputs |
|---|---:|
${rows.join('\n')}

Upload path: ${UPLOADS} mutated raw-body uploads under five content types to a running \`trustser serve\` (tiny model) in ${uploadSeconds.toFixed(0)} s; every answer a 200 or a 4xx JSON error: ${Object.entries(
  statuses,
)
  .map(([k, v]) => `${k}: ${v}`)
  .join(', ')}.

Found by fuzzing and fixed (each now has a regression test): a WAV whose PCM tag turned into IMA ADPCM's (keeping 16 bits and 2-byte blocks) decoded 6 KB into 79.8 million samples — delegated codecs' header fields are now checked against the codec and their output against the most samples the data can hold; a header claiming a 604 MHz sample rate made resampling 200 samples take 50 s — rates outside 1 kHz…768 kHz are refused; a truncated multipart upload was answered 500 — it is a 400 \`bad_multipart\`.
`;
console.log(md);
console.error(`written: ${writeResultsSection('fuzz', md)}`);
