/** `trustser pretrain`: self-supervised APC or TERA pre-training on unlabelled audio (resumable). */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { choiceFlag, intFlag, positiveFlag } from '../core/index.js';
import { PRETRAIN_METHODS, loadPretrainConfig, parsePretrainConfig, pretrain, type PretrainConfig } from '../pretrain/index.js';
import { progressBar } from './common.js';

interface PretrainFlags {
  config?: string;
  method?: string;
  data?: string[];
  corpus?: string[];
  vad?: boolean;
  fraction?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  threads?: number;
  out: string;
  json?: boolean;
}

/** `NAME:ROOT` → a corpus source. */
function corpusSource(v: string): { name: string; root: string } {
  const at = v.indexOf(':');
  if (at <= 0 || at === v.length - 1) throw new Error(`--corpus ${v}: expected NAME:FOLDER, e.g. ravdess:/data/ravdess`);
  return { name: v.slice(0, at), root: resolve(v.slice(at + 1)) };
}

/** The config from --config, with flags overriding its fields. */
function configFromFlags(f: PretrainFlags): PretrainConfig {
  const base = (f.config ? loadPretrainConfig(f.config) : {}) as Partial<PretrainConfig>;
  const training = {
    ...base.training,
    ...Object.fromEntries(
      Object.entries({ epochs: f.epochs, batchSize: f.batchSize, lr: f.lr, seed: f.seed, threads: f.threads }).filter(
        ([, v]) => v !== undefined,
      ),
    ),
  };
  return parsePretrainConfig(
    {
      ...base,
      ...(f.method ? { method: f.method } : {}),
      ...(f.data ? { data: f.data.map((p) => resolve(p)) } : {}),
      ...(f.corpus ? { corpora: f.corpus.map(corpusSource) } : {}),
      ...(f.vad ? { vad: true } : {}),
      ...(f.fraction !== undefined ? { fraction: f.fraction } : {}),
      training,
    },
    f.config ?? 'command line',
  );
}

export function registerPretrain(program: Command): void {
  program
    .command('pretrain')
    .description('pre-train an APC or TERA backbone on unlabelled audio (resumes an interrupted run in the same --out)')
    .option('--config <file>', 'pre-training configuration (YAML or JSON); flags below override its fields')
    .option('--method <name>', `objective: ${PRETRAIN_METHODS.join(' or ')}`, choiceFlag(PRETRAIN_METHODS))
    .option('--data <paths...>', 'folders (scanned recursively), CSV manifests with a path column, or audio files')
    .option('--corpus <name:folder...>', 'corpora read through their adapters (labels unused), e.g. ravdess:/data/ravdess')
    .option('--vad', 'trim leading and trailing silence of every file')
    .option('--fraction <x>', 'use a seeded random share of the files, in (0, 1]', positiveFlag)
    .option('--epochs <n>', 'epochs', intFlag(1))
    .option('--batch-size <n>', 'segments per batch', intFlag(1))
    .option('--lr <x>', 'AdamW learning rate (default: apc 1e-3, tera 2e-4)', positiveFlag)
    .option('--seed <n>', 'random seed', intFlag())
    .option('--threads <n>', 'engine threads (default: all cores)', intFlag(1))
    .requiredOption('--out <dir>', 'run folder; its backbone.safetensors is used with --backbone apc|tera --weights DIR')
    .option('--json', 'print the result as JSON')
    .action(async (f: PretrainFlags) => {
      const cfg = configFromFlags(f);
      const quiet = f.json === true;
      const poolBar = progressBar(!quiet, 'reading audio [{bar}] {value}/{total} files');
      const bar = progressBar(!quiet, 'epoch {epoch}/{epochs} [{bar}] {value}/{total} batches | loss {loss}');
      let epochShown = 0;
      const result = await pretrain(cfg, f.out, {
        log: (l) => {
          poolBar?.stop();
          bar?.stop();
          if (!quiet) process.stderr.write(`${l}\n`);
        },
        onPool: (done, total) => {
          if (done === 0) poolBar?.start(total, 0);
          else poolBar?.update(done);
        },
        onProgress: (p) => {
          if (!bar) return;
          const loss = p.loss.toFixed(4);
          if (p.epoch !== epochShown) {
            bar.start(p.batches, 0, { epoch: p.epoch, epochs: p.epochs, loss });
            epochShown = p.epoch;
          }
          bar.update(p.batch, { epoch: p.epoch, epochs: p.epochs, loss });
        },
      }).finally(() => {
        poolBar?.stop();
        bar?.stop();
      });
      if (f.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else {
        const last = result.history[result.history.length - 1];
        process.stdout.write(
          `${cfg.method.toUpperCase()} pre-trained ${result.history.length} epochs on ${(result.pool.seconds / 3600).toFixed(2)} h: final loss ${last.loss.toFixed(4)}\n` +
            `backbone: ${result.backbone}\nuse it with: --backbone ${cfg.method} --weights ${result.dir}\n`,
        );
      }
    });
}
