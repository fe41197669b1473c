/**
 * `trustser demo`: trains a small emotion classifier end to end on the engine and prints its
 * held-out accuracy. Data: the synthesized corpus (src/corpora/synthetic.ts), split by speaker.
 */
import type { Command } from 'commander';
import { synthesizeEmotionCorpus, SYNTH_CLASSES, type SynthUtterance } from '../corpora/synthetic.js';
import { Adam, F, manualSeed, nn, noGrad, setNumThreads, stack, tensor, tidy, keep, type Tensor } from '../torch/index.js';

/** STFT size for the demo's log-spectral features (samples at 16 kHz). */
const N_FFT = 512;
const HOP_SAMPLES = 160;
const LOG_FLOOR = 1e-8;

/** Utterance features: per-bin mean and std over time of the log power spectrum, [N, 2·(N_FFT/2+1)]. */
function spectralStats(utts: SynthUtterance[]): Tensor {
  return tidy(() => {
    const window = F.hannWindow(N_FFT);
    const rows = utts.map((u) => {
      const spec = F.stft(tensor(u.samples), { nFft: N_FFT, hopSamples: HOP_SAMPLES, window });
      const logPower = spec.square().sum(-1).add(LOG_FLOOR).log(); // [freq, frames]
      return stack([logPower.mean(1), logPower.std(1)]).reshape([-1]);
    });
    return stack(rows);
  });
}

export interface DemoResult {
  trainSpeakers: string[];
  testSpeakers: string[];
  accuracy: number;
  unweightedAccuracy: number;
  epochs: number;
}

/** Runs the demo; returns held-out accuracy (WA) and unweighted accuracy (UA, mean recall). */
export function runDemo(o: { seed?: number; epochs?: number; log?: (line: string) => void } = {}): DemoResult {
  const seed = o.seed ?? 7;
  const epochs = o.epochs ?? 150;
  const log = o.log ?? (() => {});
  manualSeed(seed);
  setNumThreads(1);
  const corpus = synthesizeEmotionCorpus({ speakers: 6, perClassPerSpeaker: 6, seed });
  const speakers = [...new Set(corpus.map((u) => u.speaker))];
  const testSpeakers = speakers.slice(-2);
  const train = corpus.filter((u) => !testSpeakers.includes(u.speaker));
  const test = corpus.filter((u) => testSpeakers.includes(u.speaker));
  log(`synthesized ${corpus.length} clips (${SYNTH_CLASSES.join(', ')}), ${speakers.length} speakers; test speakers: ${testSpeakers.join(', ')}`);

  const [xTrain, xTest, yTrain] = tidy(() => {
    const a = spectralStats(train);
    const b = spectralStats(test);
    // Standardize with training statistics only.
    const mu = a.mean(0, true);
    const sd = a.std(0, true, true).add(1e-5);
    return [keep(a.sub(mu).div(sd)), keep(b.sub(mu).div(sd)), keep(tensor(BigInt64Array.from(train, (u) => BigInt(u.label))))];
  });
  const model = new nn.Sequential(new nn.Linear(xTrain.shape[1], 64), nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(64, SYNTH_CLASSES.length));
  const opt = new Adam(model.parameters(), { lr: 3e-3, weightDecay: 1e-4 });
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const loss = tidy(() => {
      opt.zeroGrad();
      const l = F.crossEntropy(model.forward(xTrain), yTrain);
      l.backward();
      opt.step();
      return l.item();
    });
    if (epoch % 50 === 0) log(`epoch ${epoch}: training loss ${loss.toFixed(4)}`);
  }
  model.eval();
  const pred = noGrad(() => tidy(() => Array.from(model.forward(xTest).argmax(1).toArray() as BigInt64Array, Number)));
  const truth = test.map((u) => u.label);
  const correct = pred.filter((p, i) => p === truth[i]).length;
  const recalls = SYNTH_CLASSES.map((_, c) => {
    const idx = truth.flatMap((t, i) => (t === c ? [i] : []));
    return idx.filter((i) => pred[i] === c).length / idx.length;
  });
  for (const t of [xTrain, xTest, yTrain]) t.dispose();
  model.dispose();
  return {
    trainSpeakers: speakers.filter((s) => !testSpeakers.includes(s)),
    testSpeakers,
    accuracy: correct / truth.length,
    unweightedAccuracy: recalls.reduce((a, b) => a + b, 0) / recalls.length,
    epochs,
  };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('train a small emotion classifier on a synthesized corpus and print its held-out accuracy')
    .option('--seed <n>', 'random seed', (v) => Number.parseInt(v, 10), 7)
    .option('--json', 'machine-readable output')
    .action((opts: { seed: number; json?: boolean }) => {
      const r = runDemo({ seed: opts.seed, log: opts.json ? undefined : (l) => process.stderr.write(`${l}\n`) });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
      } else {
        process.stdout.write(
          `held-out speakers ${r.testSpeakers.join(', ')}: accuracy (WA) ${(100 * r.accuracy).toFixed(1)} %, ` +
            `unweighted accuracy (UA) ${(100 * r.unweightedAccuracy).toFixed(1)} % (chance 25 %)\n`,
        );
      }
    });
}
