/**
 * `trustser serve --model model.onnx [--spoof spoof.onnx] [--port 8080] [--host 127.0.0.1]
 * [--token T | env TRUSTSER_TOKEN] [--max-body-mb] [--max-seconds] [--timeout-ms] [--concurrency]
 * [--min-confidence P]`:
 * the analysis service and the web app, until SIGINT/SIGTERM.
 */
import type { Command } from 'commander';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_HOP_SECONDS,
  DEFAULT_HOST,
  DEFAULT_MAX_BODY_MB,
  DEFAULT_MAX_SECONDS,
  DEFAULT_PORT,
  DEFAULT_QUEUE,
  DEFAULT_THREADS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_WINDOW_SECONDS,
  startServer,
} from '../serve/index.js';
import { intFlag, positiveFlag } from '../core/index.js';
import { minConfidenceFlag } from './common.js';

/** Environment variable read when --token is not given. */
const TOKEN_ENV = 'TRUSTSER_TOKEN';

interface ServeFlags {
  model: string;
  spoof?: string;
  host: string;
  port: number;
  token?: string;
  maxBodyMb: number;
  maxSeconds: number;
  timeoutMs: number;
  concurrency: number;
  queue: number;
  windowSeconds: number;
  hopSeconds?: number;
  threads: number;
  minConfidence?: number;
  web?: string;
  log?: boolean;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve an exported model over HTTP (POST /v1/analyze, GET /v1/model, GET /healthz) with the in-browser web app at /')
    .requiredOption('--model <file>', 'exported SER model (model.onnx, sidecar model.onnx.json beside it)')
    .option(
      '--spoof <file>',
      'countermeasure ONNX graph (input wave [batch, 64600] at 16 kHz, output logits [batch, 2] = [spoof, bona fide])',
    )
    .option('--host <addr>', 'address to listen on', DEFAULT_HOST)
    .option('--port <n>', 'TCP port (0: any free port)', intFlag(0, 65535), DEFAULT_PORT)
    .option('--token <t>', `bearer token required on every route but /healthz and the web app (default: $${TOKEN_ENV}; none: no auth)`)
    .option('--max-body-mb <mb>', 'largest request body (MiB)', positiveFlag, DEFAULT_MAX_BODY_MB)
    .option('--max-seconds <s>', 'longest audio analyzed (s)', positiveFlag, DEFAULT_MAX_SECONDS)
    .option('--timeout-ms <ms>', 'time allowed per analysis, queueing included (ms)', intFlag(1), DEFAULT_TIMEOUT_MS)
    .option('--concurrency <n>', 'analyses run at once', intFlag(1), DEFAULT_CONCURRENCY)
    .option('--queue <n>', 'requests that may wait for a worker before 429', intFlag(0), DEFAULT_QUEUE)
    .option('--window-seconds <s>', 'analysis window of long inputs (s)', positiveFlag, DEFAULT_WINDOW_SECONDS)
    .option('--hop-seconds <s>', `hop between windows (s; default ${DEFAULT_HOP_SECONDS} or the window if shorter)`, positiveFlag)
    .option('--threads <n>', 'ONNX Runtime threads per model', intFlag(1), DEFAULT_THREADS)
    .option(
      '--min-confidence <p>',
      "label 'unknown' when the top calibrated probability is below p (0–1; default: off); a request may raise it with ?minConfidence=, not lower it",
      minConfidenceFlag,
    )
    .option('--web <dir>', 'built web app to serve at / (default: dist/web of the package)')
    .option('--log', 'log every request (JSON lines)')
    .action(async (f: ServeFlags) => {
      const s = await startServer({
        modelPath: f.model,
        spoofPath: f.spoof,
        host: f.host,
        port: f.port,
        token: f.token ?? (process.env[TOKEN_ENV] || undefined),
        maxBodyMb: f.maxBodyMb,
        maxSeconds: f.maxSeconds,
        timeoutMs: f.timeoutMs,
        concurrency: f.concurrency,
        queue: f.queue,
        windowSeconds: f.windowSeconds,
        hopSeconds: f.hopSeconds,
        threads: f.threads,
        minConfidence: f.minConfidence,
        webDir: f.web,
        log: f.log ?? false,
      });
      const sc = s.state.sidecar;
      process.stdout.write(
        `trustser serve: ${sc.model.name} (${sc.classes.length} classes${s.state.spoof ? ', with spoof model' : ''}) listening on ${s.url}${s.options.token ? ' (bearer token required)' : ''}\n`,
      );
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void s.close().then(done, done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
