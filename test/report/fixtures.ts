/**
 * Realistic trust reports for the report tests: an 8-class RAVDESS model with every section
 * measured, a variant with different numbers (for comparison pages), and a minimal one.
 */
import type { TrustReport } from '../../src/report/index.js';

const RAVDESS_CLASSES = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];

/** A deterministic confusion matrix with `diag` of each row on the diagonal (48 utterances per class, neutral 24). */
function confusionFor(k: number, diag: number, seed = 1): number[][] {
  return Array.from({ length: k }, (_, i) => {
    const total = i === 0 ? 24 : 48;
    const row = new Array<number>(k).fill(0);
    row[i] = Math.round(total * diag);
    let rest = total - row[i];
    for (let step = 1; rest > 0; step++) {
      const j = (i + step * (seed + 2)) % k;
      if (j === i) continue;
      const take = Math.min(rest, 1 + ((i + step) % 3));
      row[j] += take;
      rest -= take;
    }
    return row;
  });
}

function recalls(confusion: number[][]): number[] {
  return confusion.map((row, i) => row[i] / row.reduce((a, b) => a + b, 0));
}

/** A fully measured report; `quality` in [0, 1] shifts every number (0.5 ≈ a typical MLP). */
export function fullReport(name = 'mlp-egemaps', quality = 0.5): TrustReport {
  const confusion = confusionFor(RAVDESS_CLASSES.length, 0.45 + 0.3 * quality);
  const perClassRecall = recalls(confusion);
  const ua = perClassRecall.reduce((a, b) => a + b, 0) / perClassRecall.length;
  return {
    model: { name, description: 'MLP on 85 egemaps-ts functionals' },
    corpus: { name: 'RAVDESS', protocol: 'speaker-independent 6-fold, gender-balanced', testUtterances: 360 },
    classes: [...RAVDESS_CLASSES],
    createdAt: '2025-01-15T10:00:00Z',
    accuracy: {
      ua: { value: ua, low: ua - 0.041, high: ua + 0.039 },
      wa: { value: ua + 0.012, low: ua - 0.03, high: ua + 0.05 },
      macroF1: { value: ua - 0.011 },
      confusion,
      perClassRecall,
    },
    fairness: {
      gender: {
        groups: [
          { name: 'female', n: 180, ua: { value: ua + 0.03, low: ua - 0.03, high: ua + 0.09 } },
          { name: 'male', n: 180, ua: { value: ua - 0.03, low: ua - 0.09, high: ua + 0.03 } },
        ],
        statisticalParity: { value: 0.12 - 0.06 * quality, low: 0.05, high: 0.19 },
        equalOpportunity: { value: 0.093, low: 0.04, high: 0.15 },
        demographicParity: { value: 0.071, low: 0.02, high: 0.12 },
        aggregation: 'max',
      },
    },
    safety: {
      attacks: [
        { method: 'fgsm', snrDb: 40, successRate: 0.08 },
        { method: 'fgsm', snrDb: 30, successRate: 0.21 },
        { method: 'fgsm', snrDb: 20, successRate: 0.47 - 0.1 * quality },
        { method: 'fgsm', snrDb: 10, successRate: 0.74 - 0.1 * quality },
        { method: 'pgd', snrDb: 40, successRate: 0.15 },
        { method: 'pgd', snrDb: 30, successRate: 0.38 },
        { method: 'pgd', snrDb: 20, successRate: 0.69 - 0.1 * quality },
        { method: 'pgd', snrDb: 10, successRate: 0.93 - 0.1 * quality },
      ],
    },
    robustness: [
      { kind: 'clean', level: null, ua },
      ...[30, 20, 10, 5, 0].map((snr, i) => ({ kind: 'white' as const, level: snr, ua: ua * (1 - 0.12 * i) })),
      ...[30, 20, 10, 5, 0].map((snr, i) => ({ kind: 'babble' as const, level: snr, ua: ua * (1 - 0.08 * i) })),
      ...[0.2, 0.4, 0.8, 1.2].map((rt, i) => ({ kind: 'reverb' as const, level: rt, ua: ua * (1 - 0.1 * (i + 1)) })),
    ],
    privacy: { genderProbe: { accuracy: 0.86 - 0.2 * quality, majority: 0.5 }, speakerProbe: { accuracy: 0.41, chance: 1 / 24 } },
    sustainability: {
      params: 123_456 + Math.round(quality * 1e6),
      macsPerSecond: 2.5e7 * (1 + 10 * quality),
      latencyMs: 3.42,
      realTimeFactor: 0.00094,
      peakMemoryMb: 412,
      trainSeconds: 754,
    },
  };
}

/** Only what every report has: the model and its classes. */
export function minimalReport(name = 'untested'): TrustReport {
  return { model: { name }, classes: ['neutral', 'happy'] };
}
