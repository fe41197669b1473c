import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { extractFeatures } from '../../src/features/index.js';
import {
  checkQueueUrl,
  openQueue,
  queueFoldAuditor,
  queueFoldTrainer,
  queueTaskRunner,
  type QueueConnection,
} from '../../src/queue/index.js';
import { parseRunConfig } from '../../src/run/config.js';
import { trainRun } from '../../src/train/index.js';
import { auditRun } from '../../src/audit/index.js';
import { parseSafetensors } from '../../src/tensor-io/index.js';
import { makeRng } from '../../src/core/index.js';
import { packageRoot } from '../../src/core/paths.js';
import { tempDir, tone, wavFromFloat } from '../audio/helpers.js';
import { redisMissing, startRedis, startWorkerProcess, type RedisServer, type WorkerProcess } from './helpers.js';

const skip = redisMissing();
if (skip) console.error(`# ${skip}`);

const RATE_HZ = 16000;
/** Lock of the test workers: a killed worker's job is taken over within about two of these. */
const LOCK_MS = 1000;

/** Writes `n` noisy harmonic clips of `seconds` s (each different) into `dir`. */
function writeClips(dir: string, n: number, seconds: number): void {
  mkdirSync(dir, { recursive: true });
  const rng = makeRng(7);
  for (let i = 0; i < n; i++) {
    const x = tone(110 + 17 * i, RATE_HZ, seconds * RATE_HZ, 0.3);
    for (let j = 0; j < x.length; j++)
      x[j] += 0.05 * Math.sin((2 * Math.PI * 3 * (110 + 17 * i) * j) / RATE_HZ) + 0.01 * (rng.next() - 0.5);
    writeFileSync(join(dir, `clip-${String(i).padStart(2, '0')}.wav`), wavFromFloat(x, RATE_HZ));
  }
}

/** Runs the CLI from the sources. */
const cli = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(packageRoot(), 'test', 'helpers', 'cli-entry.ts'), ...args], {
    cwd: packageRoot(),
    encoding: 'utf8',
  });

describe('queue: checks before any work', () => {
  test('a queue URL that is not redis:// is refused, naming the flag', () => {
    assert.throws(() => checkQueueUrl('http://127.0.0.1:6379'), /--queue: 'http:\/\/127.0.0.1:6379' is not a Redis URL/);
    assert.throws(() => checkQueueUrl('127.0.0.1:6379'), /--queue: .* is not a (Redis )?URL/);
    assert.throws(() => checkQueueUrl('redis://127.0.0.1:6379/x'), /database number/);
    assert.equal(checkQueueUrl('redis://127.0.0.1:6379/2'), 'redis://127.0.0.1:6379/2');
  });

  test('an unreachable queue fails at once with its URL, and the command writes nothing', () => {
    const { dir, cleanup } = tempDir();
    try {
      writeClips(join(dir, 'clips'), 1, 1);
      const out = join(dir, 'out.safetensors');
      // Port 1 on loopback: nothing listens there.
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(packageRoot(), 'test', 'helpers', 'cli-entry.ts'), 'features', 'extract', '--set', 'logmel'].concat([
          '--in',
          join(dir, 'clips'),
          '--out',
          out,
          '--queue',
          'redis://127.0.0.1:1',
        ]),
        { cwd: packageRoot(), encoding: 'utf8' },
      );
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /cannot reach the queue at redis:\/\/127.0.0.1:1/);
      assert.equal(existsSync(out), false);
      assert.deepEqual(readdirSync(dir), ['clips']);
    } finally {
      cleanup();
    }
  });

  test('a worker with a bad queue URL, and a queued train that cannot reach Redis, fail clearly and write nothing', () => {
    const { dir, cleanup } = tempDir();
    try {
      const w = cli(['worker', '--queue', 'http://127.0.0.1:6379']);
      assert.notEqual(w.status, 0);
      assert.match(w.stderr, /--queue: 'http:\/\/127.0.0.1:6379' is not a Redis URL/);
      const out = join(dir, 'run');
      const t = cli([
        'train',
        '--corpus',
        'synthetic',
        '--model',
        'logreg',
        '--features',
        'mel-functionals',
        '--out',
        out,
        '--queue',
        'redis://127.0.0.1:1',
      ]);
      assert.notEqual(t.status, 0);
      assert.match(t.stderr, /cannot reach the queue at redis:\/\/127.0.0.1:1/);
      assert.equal(existsSync(out), false);
    } finally {
      cleanup();
    }
  });

  test('queued extraction without a cache is refused by the command', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(packageRoot(), 'test', 'helpers', 'cli-entry.ts'), 'features', 'extract', '--set', 'logmel'].concat([
        '--in',
        '.',
        '--out',
        'never.safetensors',
        '--no-cache',
        '--queue',
        'redis://127.0.0.1:1',
      ]),
      { cwd: packageRoot(), encoding: 'utf8' },
    );
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--queue needs the feature cache/);
    assert.equal(existsSync(join(packageRoot(), 'never.safetensors')), false);
  });
});

describe('queue: extraction and training on worker processes', { skip: skip ?? false }, () => {
  let redis: RedisServer;
  let q: QueueConnection;
  let dir = '';
  let cleanup = () => {};
  const workers: WorkerProcess[] = [];
  before(async () => {
    ({ dir, cleanup } = tempDir());
    redis = await startRedis();
    q = await openQueue(redis.url);
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await q?.close();
    await redis?.stop();
    cleanup();
  });

  test('two workers, one killed mid-job: every file is extracted exactly once, equal to a local run', async () => {
    const clips = join(dir, 'clips');
    writeClips(clips, 24, 8);
    workers.push(await startWorkerProcess(redis.url, LOCK_MS), await startWorkerProcess(redis.url, LOCK_MS));
    const [victim, survivor] = workers;
    const out = join(dir, 'queued.safetensors');
    const run = extractFeatures({
      set: 'egemaps-ts',
      input: clips,
      out,
      cacheDir: join(dir, 'cache-queued'),
      runner: queueTaskRunner(q, { filesPerJob: 4 }),
      progress: false,
    });
    const started = await victim.waitFor(/^job \S+ \(features\) started/);
    await victim.stop('SIGKILL');
    const killedJob = /^job (\S+) /.exec(started)![1];
    const summary = await run;

    const local = join(dir, 'local.safetensors');
    await extractFeatures({ set: 'egemaps-ts', input: clips, out: local, cacheDir: null, workers: 0, progress: false });
    assert.deepEqual(readFileSync(out), readFileSync(local), 'queued output differs from the local run');
    const tensors = parseSafetensors(readFileSync(out), out).tensors;
    assert.equal(tensors.size, 24);
    assert.equal(summary.extracted + summary.fromCache, 24);
    assert.deepEqual(summary.failed, []);
    // The killed worker never finished its job; the survivor took it over and finished it.
    assert.ok(!victim.lines.some((l) => l.startsWith(`job ${killedJob} `) && l.includes('done')), victim.lines.join('\n'));
    assert.ok(
      survivor.lines.some((l) => l.startsWith(`job ${killedJob} `) && l.includes('done')),
      survivor.lines.join('\n'),
    );
    // Every job was finished exactly once.
    const done = [...victim.lines, ...survivor.lines].filter((l) => / \(features\) done/.test(l)).map((l) => l.split(' ')[1]);
    assert.equal(new Set(done).size, done.length);
    assert.equal(done.length, 6);
    // No temporary file is left in the shared cache.
    const temps = readdirSync(join(dir, 'cache-queued'), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.tmp'));
    assert.deepEqual(temps, []);
  });

  test('a repeated queued extraction finds every file in the cache and adds no job', async () => {
    const counts = async () => Object.values(await q.queue.getJobCounts()).reduce((a, b) => a + b, 0);
    const before = await counts();
    const again = join(dir, 'again.safetensors');
    const summary = await extractFeatures({
      set: 'egemaps-ts',
      input: join(dir, 'clips'),
      out: again,
      cacheDir: join(dir, 'cache-queued'),
      runner: queueTaskRunner(q, { filesPerJob: 4 }),
      progress: false,
    });
    assert.equal(summary.fromCache, 24);
    assert.equal(await counts(), before);
    assert.deepEqual(readFileSync(again), readFileSync(join(dir, 'local.safetensors')));
  });

  test('Redis killed and restarted mid-run (every job lost): the extraction still completes, equal to a local run', async () => {
    const clips = join(dir, 'clips'); // written by the first test
    const out = join(dir, 'after-restart.safetensors');
    const live = workers.filter((w) => w.process.exitCode === null && w.process.signalCode === null);
    const run = extractFeatures({
      set: 'egemaps-ts',
      input: clips,
      out,
      cacheDir: join(dir, 'cache-restart'),
      runner: queueTaskRunner(q, { filesPerJob: 4 }),
      progress: false,
    });
    await live[0].waitFor(/^job \S+ \(features\) done/);
    await redis.restart();
    const summary = await run;
    assert.equal(summary.extracted + summary.fromCache, 24);
    assert.deepEqual(readFileSync(out), readFileSync(join(dir, 'local.safetensors')));
  });

  test('a corrupt file fails with its reason while the others complete', async () => {
    const clips = join(dir, 'clips-bad');
    writeClips(clips, 5, 1);
    writeFileSync(join(clips, 'broken.wav'), 'RIFF not really a wave file');
    const summary = await extractFeatures({
      set: 'logmel',
      input: clips,
      out: join(dir, 'bad.safetensors'),
      cacheDir: join(dir, 'cache-bad'),
      runner: queueTaskRunner(q, { filesPerJob: 2 }),
      progress: false,
    });
    assert.equal(summary.extracted, 5);
    assert.equal(summary.failed.length, 1);
    assert.match(summary.failed[0].path, /broken\.wav$/);
    assert.match(summary.failed[0].reason, /broken\.wav/);
  });

  test('a run trained one fold per queue job equals the local run, and the run log is assembled from the fold logs', async () => {
    if (workers.filter((w) => w.process.exitCode === null && w.process.signalCode === null).length === 0)
      workers.push(await startWorkerProcess(redis.url, LOCK_MS));
    const cfg = parseRunConfig({
      corpus: { name: 'synthetic', options: { perClassPerSpeaker: 4 } },
      protocol: { kind: 'speaker-kfold', folds: 3, devSpeakers: 1 },
      features: { set: 'logmel', maxFrames: 100 },
      model: { name: 'trust-ser-cnn', options: { hiddenSize: 16 } },
      training: { epochs: 3, batchSize: 16, lr: 3e-3, threads: 1, patience: 10 },
    });
    const cacheDir = join(dir, 'cache-train');
    const queued = join(dir, 'run-queued');
    const trained: number[] = [];
    const mq = await trainRun(cfg, queued, {
      cacheDir,
      workers: 0,
      runner: queueTaskRunner(q),
      trainFolds: queueFoldTrainer(q, { cacheDir, onFold: (r) => trained.push(r.fold) }),
    });
    assert.deepEqual(trained.sort(), [0, 1, 2]);
    const local = join(dir, 'run-local');
    const ml = await trainRun(cfg, local, { cacheDir, workers: 0 });
    for (const f of ['split.json', 'fold-0/result.json', 'fold-1/best.safetensors', 'fold-2/norm.json', 'fold-2/calibration.json'])
      assert.deepEqual(readFileSync(join(queued, f)), readFileSync(join(local, f)), f);
    assert.deepEqual({ ...mq, trainSeconds: 0 }, { ...ml, trainSeconds: 0 });
    const epochs = (p: string) =>
      readFileSync(p, 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          const { seconds: _, ...rest } = JSON.parse(l);
          return rest;
        });
    assert.deepEqual(epochs(join(queued, 'log.jsonl')), epochs(join(local, 'log.jsonl')));
    assert.equal(epochs(join(queued, 'log.jsonl')).length, 9);
    assert.ok(existsSync(join(queued, 'metrics.json')));
  });

  test('an audit measured one fold per queue job equals the in-process audit', async () => {
    const opts = { snrDb: [40], attacks: ['fgsm' as const], maxUtterancesPerFold: 8, resamples: 50, robustness: true };
    const audited: number[] = [];
    const queued = await auditRun(join(dir, 'run-queued'), {
      ...opts,
      measureFolds: queueFoldAuditor(q, { onFold: (k) => audited.push(k) }),
    });
    const local = await auditRun(join(dir, 'run-queued'), opts);
    assert.deepEqual(audited.sort(), [0, 1, 2]);
    // Everything but the wall-clock measurements (when, latency, memory) is the same.
    const stable = (r: typeof local) => ({
      ...r,
      createdAt: '',
      sustainability: { params: r.sustainability!.params, macsPerSecond: r.sustainability!.macsPerSecond },
    });
    assert.deepEqual(stable(queued), stable(local));
    assert.ok(local.robustness && local.robustness.length > 0, 'the audit measured robustness');
    assert.ok(
      (local.safety?.attacks ?? []).some((a) => (a.attacked ?? 0) > 0),
      'the audit attacked',
    );
  });

  test('a job with malformed data fails with a message naming the field; the client sees the reason', async () => {
    if (workers.filter((w) => w.process.exitCode === null && w.process.signalCode === null).length === 0)
      workers.push(await startWorkerProcess(redis.url, LOCK_MS));
    const raw = new Queue(q.name, { connection: { url: redis.url } });
    try {
      const job = await raw.add('features', { tasks: [{ id: 'a', path: '', setName: 'logmel', cacheDir: dir }] }, { attempts: 1 });
      await assert.rejects(job.waitUntilFinished(q.events), /malformed data: tasks\.0\.path/);
      const unknown = await raw.add('no-such-kind', {}, { attempts: 1 });
      await assert.rejects(unknown.waitUntilFinished(q.events), /unknown job kind 'no-such-kind'/);
    } finally {
      await raw.close();
    }
  });

  test('queued extraction without a cache is refused before any job is added', async () => {
    const runner = queueTaskRunner(q);
    const before = await q.queue.getJobCounts();
    await assert.rejects(
      runner([{ id: 'x', path: join(dir, 'clips', 'clip-00.wav'), setName: 'logmel', cacheDir: null }], () => {}),
      /--queue needs the feature cache/,
    );
    assert.deepEqual(await q.queue.getJobCounts(), before);
  });
});
