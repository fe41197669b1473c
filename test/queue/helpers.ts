/**
 * A throw-away Redis server on a loopback port, and `trustser worker` processes run from the
 * TypeScript sources, for the queue tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageRoot } from '../../src/core/paths.js';

/** Why the queue tests cannot run here, or null when redis-server is installed. */
export function redisMissing(): string | null {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.status === 0
    ? null
    : 'redis-server is not installed (Debian package redis-server; scripts/setup installs it): queue tests skipped';
}

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
  /** Kills the server (SIGKILL: no persistence, every job is lost) and starts a fresh one on the same port. */
  restart(): Promise<void>;
}

function spawnRedis(port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
}

async function answers(p: ChildProcess, port: number): Promise<boolean> {
  for (let i = 0; i < 50 && p.exitCode === null; i++) {
    const ping = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
    if (ping.stdout.trim() === 'PONG') return true;
    await sleep(100);
  }
  return false;
}

/** Starts redis-server on a free loopback port (no persistence) and waits until it answers. */
export async function startRedis(): Promise<RedisServer> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    let p = spawnRedis(port);
    if (await answers(p, port)) {
      return {
        url: `redis://127.0.0.1:${port}`,
        stop: () => stopProcess(p),
        restart: async () => {
          await stopProcess(p, 'SIGKILL');
          p = spawnRedis(port);
          if (!(await answers(p, port))) throw new Error(`redis-server did not restart on port ${port}`);
        },
      };
    }
    await stopProcess(p); // port taken, or too slow: try another
  }
  throw new Error('could not start redis-server on a loopback port');
}

async function stopProcess(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill(signal);
  await exited;
}

export interface WorkerProcess {
  process: ChildProcess;
  /** Every line the worker wrote to stderr so far. */
  lines: string[];
  /** Resolves with the first line matching `re` (already written or to come). */
  waitFor(re: RegExp): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `trustser worker --queue url` (from the sources, via tsx) and waits until it is ready. */
export async function startWorkerProcess(url: string, lockMs: number): Promise<WorkerProcess> {
  const p = spawn(
    process.execPath,
    ['--import', 'tsx', join(packageRoot(), 'test', 'helpers', 'cli-entry.ts'), 'worker', '--queue', url, '--lock-ms', String(lockMs)],
    { cwd: packageRoot(), stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } },
  );
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  let partial = '';
  p.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      for (const w of waiters.filter((x) => x.re.test(l))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
    }
  });
  const waitFor = (re: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const seen = lines.find((l) => re.test(l));
      if (seen !== undefined) return resolve(seen);
      waiters.push({ re, resolve });
      p.once('exit', (code) => reject(new Error(`worker exited (${code}) before writing ${re}:\n${lines.join('\n')}`)));
    });
  await waitFor(/^worker ready/);
  return { process: p, lines, waitFor, stop: (signal) => stopProcess(p, signal) };
}
