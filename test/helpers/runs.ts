// A small, fast training run on the synthesized corpus (6 speakers, 3 speaker-independent folds,
// one dev speaker, log-mel + Trust-SER downstream, one thread) for tests of what consumes runs.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunConfig, type RunConfig } from '../../src/run/config.js';
import { syntheticCorpusDir } from '../../src/run/index.js';

export function syntheticRunConfig(extra: Record<string, unknown> = {}): RunConfig {
  return parseRunConfig({
    corpus: { name: 'synthetic', options: { perClassPerSpeaker: 4 } },
    protocol: { kind: 'speaker-kfold', folds: 3, devSpeakers: 1 },
    features: { set: 'logmel', maxFrames: 100 },
    model: { name: 'trust-ser-cnn', options: { hiddenSize: 32 } },
    training: { epochs: 8, batchSize: 16, lr: 3e-3, threads: 1 },
    ...extra,
  });
}

/** The first `count` WAV files (sorted by path) of the synthesized corpus in `cacheDir` with `perClassPerSpeaker`. */
export function syntheticWavs(cacheDir: string, perClassPerSpeaker: number, count: number): string[] {
  const corpusDir = syntheticCorpusDir(cacheDir, { perClassPerSpeaker });
  return readdirSync(corpusDir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .slice(0, count)
    .map((f) => join(corpusDir, f));
}
