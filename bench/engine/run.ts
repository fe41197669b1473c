/**
 * bench/engine: the engine vs PyTorch on the same workloads, in one run, same thread count.
 *   CNN: batch 32 of [1, 64 mel, 128 frames] → conv3x3(1→16)+ReLU+maxpool2 → conv3x3(16→32)+ReLU
 *        +maxpool2 → conv3x3(32→64)+ReLU → global average pool → Linear(64→6); cross-entropy, Adam.
 *   LSTM: 2-layer BiLSTM (hidden 64) over [32, 128, 64] → time mean → Linear(128→6); same loss.
 * Reports training steps/s and inference utterances/s and their ratios (engine / PyTorch).
 * Usage: npm run bench:engine [-- --threads N --steps N]
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Adam, F, manualSeed, nn, noGrad, randint, randn, setNumThreads, tidy, type Tensor } from '../../src/engine/index.js';
import { packageRoot } from '../../src/core/paths.js';
import { machineLine, runPythonReference, writeResultsSection } from '../results.js';

const BATCH = 32,
  MELS = 64,
  FRAMES = 128,
  CLASSES = 6;
const LSTM_FEATURES = 64,
  LSTM_HIDDEN = 64;
const ROUNDS = 4;

class Cnn extends nn.Module {
  c1 = this.module('c1', new nn.Conv2d(1, 16, 3, { padding: 1 }));
  c2 = this.module('c2', new nn.Conv2d(16, 32, 3, { padding: 1 }));
  c3 = this.module('c3', new nn.Conv2d(32, 64, 3, { padding: 1 }));
  fc = this.module('fc', new nn.Linear(64, CLASSES));
  forward(x: Tensor): Tensor {
    let h = F.maxPool2d(this.c1.forward(x).relu(), 2);
    h = F.maxPool2d(this.c2.forward(h).relu(), 2);
    return this.fc.forward(this.c3.forward(h).relu().mean([2, 3]));
  }
}

class BiLstm extends nn.Module {
  rnn = this.module('rnn', new nn.LSTM(LSTM_FEATURES, LSTM_HIDDEN, { numLayers: 2, bidirectional: true, batchFirst: true }));
  fc = this.module('fc', new nn.Linear(2 * LSTM_HIDDEN, CLASSES));
  forward(x: Tensor): Tensor {
    return this.fc.forward(this.rnn.forward(x)[0].mean(1));
  }
}

interface Speed {
  trainStepsPerS: number;
  inferUttPerS: number;
}

function measure(model: nn.Module & { forward(x: Tensor): Tensor }, x: Tensor, y: Tensor, steps: number): Speed {
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const trainStep = () =>
    tidy(() => {
      opt.zeroGrad();
      F.crossEntropy(model.forward(x), y).backward();
      opt.step();
    });
  for (let i = 0; i < 3; i++) trainStep();
  let t0 = performance.now();
  for (let i = 0; i < steps; i++) trainStep();
  const trainS = (performance.now() - t0) / 1000;
  model.eval();
  const infer = () => noGrad(() => tidy(() => void model.forward(x)));
  for (let i = 0; i < 3; i++) infer();
  t0 = performance.now();
  for (let i = 0; i < steps; i++) infer();
  const inferS = (performance.now() - t0) / 1000;
  model.train();
  return { trainStepsPerS: steps / trainS, inferUttPerS: (steps * BATCH) / inferS };
}

function pytorch(threads: number, steps: number): { torch: string; cnn: Speed; lstm: Speed } {
  const script = join(packageRoot(), 'bench', 'engine', 'reference.py');
  return runPythonReference(script, [String(threads), String(steps)]);
}

function main(): void {
  const { values } = parseArgs({ options: { threads: { type: 'string' }, steps: { type: 'string' } } });
  const threads = Number(values.threads ?? cpus().length);
  const steps = Number(values.steps ?? 25);
  setNumThreads(threads);
  manualSeed(0);
  const y = randint(0, CLASSES, [BATCH]);
  // Alternate the two sides and keep each one's best round, so background load hits both alike.
  const best = (a: Speed | undefined, b: Speed): Speed =>
    a === undefined
      ? b
      : { trainStepsPerS: Math.max(a.trainStepsPerS, b.trainStepsPerS), inferUttPerS: Math.max(a.inferUttPerS, b.inferUttPerS) };
  let engine: { cnn?: Speed; lstm?: Speed } = {};
  let ref: { torch: string; cnn?: Speed; lstm?: Speed } = { torch: '' };
  for (let round = 0; round < ROUNDS; round++) {
    engine = {
      cnn: best(engine.cnn, measure(new Cnn(), randn([BATCH, 1, MELS, FRAMES]), y, steps)),
      lstm: best(engine.lstm, measure(new BiLstm(), randn([BATCH, FRAMES, LSTM_FEATURES]), y, steps)),
    };
    const r = pytorch(threads, steps);
    ref = { torch: r.torch, cnn: best(ref.cnn, r.cnn), lstm: best(ref.lstm, r.lstm) };
  }
  const rows = (['cnn', 'lstm'] as const).flatMap((w) =>
    (['trainStepsPerS', 'inferUttPerS'] as const).map((m) => {
      const a = engine[w]![m],
        b = ref[w]![m];
      return `| ${w.toUpperCase()} | ${m === 'trainStepsPerS' ? 'training steps/s' : 'inference utterances/s'} | ${a.toFixed(2)} | ${b.toFixed(2)} | **${(a / b).toFixed(2)}** |`;
    }),
  );
  const md = [
    '## Engine vs PyTorch (`npm run bench:engine`)',
    '',
    `${machineLine()}; libtorch addon vs PyTorch ${ref.torch} (Debian python3-torch), ${threads} thread(s), best of ${ROUNDS} alternating rounds of ${steps} timed steps (after 3 warm-up steps), batch ${BATCH}. Goal: training ratio ≥ 1.0.`,
    '',
    '| workload | metric | trustser engine | PyTorch | ratio |',
    '|---|---|---:|---:|---:|',
    ...rows,
  ].join('\n');
  console.log(md);
  console.log(`\nwritten to ${writeResultsSection('engine', md)}`);
}

main();
