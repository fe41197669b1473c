/**
 * Privacy (docs/metrics.md): how much a model's utterance embeddings reveal about the speaker.
 *  - Gender probe: logistic regression on standardized embeddings, trained and tested on disjoint
 *    speakers (given train/test sets, or a 2-fold speaker cross-validation balanced by gender);
 *    accuracy beside the majority-class rate.
 *  - Speaker probe: multinomial logistic regression, trained on half of each speaker's utterances
 *    and tested on the other half; accuracy beside chance (1 / speakers).
 * Higher accuracy = less private.
 */
import { makeRng } from '../core/index.js';
import { F, SGD, nn, noGrad, tensor, tidy } from '../engine/index.js';

/**
 * Probe training: full-batch gradient descent (not Adam, whose per-weight step normalization lets
 * uninformative dimensions grow as fast as informative ones), learning rate, L2 weight decay.
 */
const PROBE_STEPS = 300;
const PROBE_LR = 0.5;
const PROBE_WEIGHT_DECAY = 1e-2;

export interface EmbeddedUtterance {
  embedding: Float32Array;
  speaker: string;
  gender?: string;
}

export interface ProbeResult {
  accuracy: number;
  /** Majority-class rate (gender) or chance 1/classes (speaker) on the same test items. */
  baseline: number;
  n: number;
}

/** Trains a linear probe on (xTrain, yTrain) and returns predictions for xTest. */
function linearProbe(xTrain: Float32Array[], yTrain: number[], xTest: Float32Array[], classes: number, seed: number): number[] {
  const d = xTrain[0].length;
  const mean = new Float64Array(d),
    sd = new Float64Array(d);
  for (const x of xTrain) for (let k = 0; k < d; k++) mean[k] += x[k] / xTrain.length;
  for (const x of xTrain) for (let k = 0; k < d; k++) sd[k] += (x[k] - mean[k]) ** 2 / xTrain.length;
  const z = (xs: Float32Array[]) => {
    const out = new Float32Array(xs.length * d);
    xs.forEach((x, i) => {
      for (let k = 0; k < d; k++) out[i * d + k] = (x[k] - mean[k]) / Math.sqrt(sd[k] + 1e-8);
    });
    return out;
  };
  const probe = new nn.Linear(d, classes);
  // Re-draw the initial weights from the probe's own seed, for reproducibility.
  const rng = makeRng(seed);
  noGrad(() =>
    probe.weight.copy_(
      tensor(
        Float32Array.from({ length: d * classes }, () => (rng.next() - 0.5) / Math.sqrt(d)),
        [classes, d],
      ),
    ),
  );
  const opt = new SGD(probe.parameters(), { lr: PROBE_LR, momentum: 0.9, weightDecay: PROBE_WEIGHT_DECAY });
  const x = tensor(z(xTrain), [xTrain.length, d]);
  const y = tensor(BigInt64Array.from(yTrain, BigInt), [yTrain.length]);
  for (let s = 0; s < PROBE_STEPS; s++) {
    tidy(() => {
      opt.zeroGrad();
      F.crossEntropy(probe.forward(x), y).backward();
      opt.step();
    });
  }
  const pred = noGrad(() =>
    tidy(() =>
      Array.from(
        probe
          .forward(tensor(z(xTest), [xTest.length, d]))
          .argmax(1)
          .toArray() as BigInt64Array,
        Number,
      ),
    ),
  );
  x.dispose();
  y.dispose();
  probe.dispose();
  return pred;
}

/** Gender inference from embeddings on speakers unseen by the probe (2-fold speaker CV). */
export function genderProbe(items: EmbeddedUtterance[], seed = 1): ProbeResult {
  const labelled = items.filter((u) => u.gender !== undefined);
  const genders = [...new Set(labelled.map((u) => u.gender!))].sort();
  if (genders.length < 2) throw new Error('privacy: the gender probe needs utterances of at least two genders');
  // Deal each gender's speakers alternately into two folds.
  const rng = makeRng(seed);
  const fold = new Map<string, number>();
  for (const g of genders) {
    const spk = [...new Set(labelled.filter((u) => u.gender === g).map((u) => u.speaker))].sort();
    for (let i = spk.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [spk[i], spk[j]] = [spk[j], spk[i]];
    }
    spk.forEach((s, i) => fold.set(s, i % 2));
  }
  let correct = 0,
    total = 0;
  for (const k of [0, 1]) {
    const train = labelled.filter((u) => fold.get(u.speaker) !== k);
    const test = labelled.filter((u) => fold.get(u.speaker) === k);
    if (train.length === 0 || test.length === 0) throw new Error('privacy: the gender probe needs at least two speakers per gender');
    const pred = linearProbe(
      train.map((u) => u.embedding),
      train.map((u) => genders.indexOf(u.gender!)),
      test.map((u) => u.embedding),
      genders.length,
      seed + k,
    );
    pred.forEach((p, i) => {
      if (p === genders.indexOf(test[i].gender!)) correct++;
    });
    total += test.length;
  }
  const counts = genders.map((g) => labelled.filter((u) => u.gender === g).length);
  return { accuracy: correct / total, baseline: Math.max(...counts) / labelled.length, n: total };
}

/** Speaker identification from embeddings: half of each speaker's utterances train, half test. */
export function speakerProbe(items: EmbeddedUtterance[], seed = 1): ProbeResult {
  const speakers = [...new Set(items.map((u) => u.speaker))].sort();
  if (speakers.length < 2) throw new Error('privacy: the speaker probe needs at least two speakers');
  const train: EmbeddedUtterance[] = [],
    test: EmbeddedUtterance[] = [];
  for (const s of speakers) {
    const own = items.filter((u) => u.speaker === s);
    if (own.length < 2) throw new Error(`privacy: speaker ${s} has fewer than two utterances`);
    own.forEach((u, i) => (i % 2 === 0 ? train : test).push(u));
  }
  const pred = linearProbe(
    train.map((u) => u.embedding),
    train.map((u) => speakers.indexOf(u.speaker)),
    test.map((u) => u.embedding),
    speakers.length,
    seed,
  );
  const correct = pred.filter((p, i) => p === speakers.indexOf(test[i].speaker)).length;
  return { accuracy: correct / test.length, baseline: 1 / speakers.length, n: test.length };
}

/** Gender probe trained on `train` and tested on `test` (disjoint speakers, e.g. a fold's training vs test speakers). */
export function genderProbeHeldOut(train: EmbeddedUtterance[], test: EmbeddedUtterance[], seed = 1): ProbeResult {
  const tr = train.filter((u) => u.gender !== undefined);
  const te = test.filter((u) => u.gender !== undefined);
  const genders = [...new Set(tr.map((u) => u.gender!))].sort();
  if (genders.length < 2) throw new Error('privacy: the gender probe needs training utterances of at least two genders');
  if (te.length === 0) throw new Error('privacy: the gender probe has no test utterance with a known gender');
  const shared = tr.find((u) => te.some((v) => v.speaker === u.speaker));
  if (shared) throw new Error(`privacy: speaker ${shared.speaker} is in both the probe's training and test sets`);
  const pred = linearProbe(
    tr.map((u) => u.embedding),
    tr.map((u) => genders.indexOf(u.gender!)),
    te.map((u) => u.embedding),
    genders.length,
    seed,
  );
  const correct = pred.filter((p, i) => genders[p] === te[i].gender).length;
  const counts = genders.map((g) => te.filter((u) => u.gender === g).length);
  return { accuracy: correct / te.length, baseline: Math.max(...counts) / te.length, n: te.length };
}
