/**
 * One process's share of the channel-shift measurement: for each given fold of a run, every test
 * utterance under every channel shift (src/audio CHANNEL_SHIFTS_NODE, seeded per utterance and
 * shift; babble from the LibriSpeech test talkers of bench/babble.ts, who are not in RAVDESS
 * and never in training babble), predicted by the fold.
 * Prints one JSON line: per fold and condition, the truth and predicted class of each utterance.
 * Usage (spawned by run.ts): node --import tsx bench/robustness/shifts.ts RUN_DIR FOLDS MAX_PER_FOLD
 */
import { loadAudio, listChannelShifts, scanDir } from '../../src/audio/index.js';
import { argmax, makeRng } from '../../src/core/index.js';
import { loadFold, readFoldResult } from '../../src/run/index.js';
import { testBabbleDirs } from '../babble.js';

/** Base of the per-(utterance, shift) seeds. */
const SEED = 17;

export interface ShiftOutcome {
  fold: number;
  condition: string;
  truth: number[];
  pred: number[];
}

async function main(): Promise<void> {
  const [runDir, foldList, maxArg] = process.argv.slice(2);
  const folds = foldList.split(',').map(Number);
  const max = Number(maxArg);
  // Each shift mixes 4–6 of these clips.
  const babblePaths: string[] = [];
  for (const d of testBabbleDirs()) babblePaths.push(...(await scanDir(d)).map((i) => i.path));
  const out: ShiftOutcome[] = [];
  for (const k of folds) {
    const fold = await loadFold(runDir, k);
    const rate = fold.sampleRateHz;
    const babble = await Promise.all(babblePaths.map(async (p) => (await loadAudio(p, { sampleRateHz: rate })).samples));
    const all = readFoldResult(runDir, k).predictions;
    // An even spread over the fold's test utterances when capped.
    const preds = max > 0 && all.length > max ? Array.from({ length: max }, (_, i) => all[Math.floor((i * all.length) / max)]) : all;
    const clean = await Promise.all(preds.map(async (p) => (await loadAudio(p.path, { sampleRateHz: rate })).samples));
    const truth = preds.map((p) => p.truth);
    const conditions = [{ name: 'clean', apply: null }, ...listChannelShifts().map((s) => ({ name: s.name, apply: s }))];
    for (const [c, cond] of conditions.entries()) {
      const signals: Float32Array[] = [];
      for (const [u, x] of clean.entries())
        signals.push(cond.apply ? await cond.apply.apply(x, rate, { rng: makeRng(SEED * 1_000_003 + u * 101 + c), babble }) : x);
      const pred = (await fold.predict(signals)).map(argmax);
      out.push({ fold: k, condition: cond.name, truth, pred });
      process.stderr.write(`   fold ${k} ${cond.name}: ${pred.filter((p, i) => p === truth[i]).length}/${pred.length} correct\n`);
    }
    fold.dispose();
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
