// egemaps-ts voice quality and formants on synthetic glottal-pulse vowels with known jitter,
// shimmer, noise level and formant frequencies.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  harmonicTone,
  localJitter,
  normalizePeak,
  pulseTrain,
  rms,
  vowel,
  whiteNoise,
  type VowelOptions,
} from '../fixtures/egemaps/synth.js';
import { egemapsLookup } from '../fixtures/egemaps/synth.js';

const FS = 16000;
/** /a/-like vowel of the tests: formants (Hz) and bandwidths (Hz). */
const VOWEL_A = { formantsHz: [700, 1220, 2600, 3500], bandwidthsHz: [80, 90, 120, 200] };

const features = (x: Float32Array) => egemapsLookup(x, FS);

function synth(o: Partial<VowelOptions> & { f0Hz: number }): Float32Array {
  return normalizePeak(vowel({ sampleRateHz: FS, durationS: 1, ...VOWEL_A, ...o }));
}

describe('egemaps-ts jitter', () => {
  for (const f0Hz of [100, 120, 150, 200]) {
    it(`alternating ±1 % periods at ${f0Hz} Hz read 2 % local jitter (±10 %)`, () => {
      const get = features(synth({ f0Hz, jitterAlt: 0.01 }));
      const j = get('jitterLocal_mean');
      assert.ok(Math.abs(j - 0.02) < 0.002, `jitter ${j}`);
      assert.ok(get('jitterLocal_cv') < 0.2, 'jitter is steady over the vowel');
    });
  }

  for (const f0Hz of [110, 150]) {
    it(`random Gaussian period perturbation (σ = 1 %) at ${f0Hz} Hz: jitter within 10 % of the true value`, () => {
      const o = { sampleRateHz: FS, durationS: 1, f0Hz, jitterStd: 0.01, seed: 5, ...VOWEL_A };
      const truth = localJitter(pulseTrain(o).positions);
      const j = features(normalizePeak(vowel(o)))('jitterLocal_mean');
      assert.ok(Math.abs(j - truth) < 0.1 * truth, `jitter ${j} vs true ${truth}`);
    });
  }

  it('a perfectly periodic vowel (steady or gliding F0) has jitter < 0.1 %', () => {
    for (const o of [{ f0Hz: 130 }, { f0Hz: 200, f0EndHz: 170 }]) {
      const j = features(synth(o))('jitterLocal_mean');
      assert.ok(j < 0.001, `jitter ${j}`);
    }
  });

  it('jitter is proportional to the period perturbation (±0.25 / 0.5 / 1 % → 0.5 / 1 / 2 %)', () => {
    for (const jitterAlt of [0.0025, 0.005, 0.01]) {
      const j = features(synth({ f0Hz: 120, jitterAlt }))('jitterLocal_mean');
      assert.ok(Math.abs(j - 2 * jitterAlt) < 0.2 * jitterAlt, `±${jitterAlt} → ${j}`);
    }
  });

  it('additive noise raises jitter only moderately (SNR 20 dB: < 0.5 % on a jitter-free vowel)', () => {
    const c = vowel({ sampleRateHz: FS, durationS: 1, f0Hz: 150, f0EndHz: 130, ...VOWEL_A });
    const n = whiteNoise(c.length, rms(c) * 0.1, 17);
    const j = features(normalizePeak(c.map((v, i) => v + n[i])))('jitterLocal_mean');
    assert.ok(j < 0.005, `jitter ${j}`);
  });
});

describe('egemaps-ts shimmer', () => {
  for (const db of [0.5, 1, 2]) {
    it(`alternating ${db} dB period amplitudes read ${db} dB local shimmer (±10 %)`, () => {
      for (const f0Hz of [100, 150]) {
        const get = features(synth({ f0Hz, shimmerRatio: 10 ** (db / 20) }));
        const s = get('shimmerLocalDb_mean');
        assert.ok(Math.abs(s - db) < 0.1 * db, `${f0Hz} Hz: shimmer ${s} dB`);
      }
    });
  }

  it('a steady vowel has shimmer < 0.05 dB', () => {
    const s = features(synth({ f0Hz: 120 }))('shimmerLocalDb_mean');
    assert.ok(s < 0.05, `shimmer ${s}`);
  });
});

describe('egemaps-ts HNR', () => {
  const clean = harmonicTone(FS, 150, 1, 20, 1, 5);
  const mix = (snrDb: number): Float32Array => {
    const n = whiteNoise(clean.length, rms(clean) * 10 ** (-snrDb / 20), 11);
    return normalizePeak(clean.map((v, i) => v + n[i]));
  };

  it('is high for a clean harmonic signal and approximately the SNR for signal + white noise', () => {
    const hClean = features(normalizePeak(clean))('HNRdB_mean');
    assert.ok(hClean > 30, `clean HNR ${hClean}`);
    for (const snr of [5, 10, 20]) {
      const h = features(mix(snr))('HNRdB_mean');
      assert.ok(Math.abs(h - snr) < 1.5, `SNR ${snr} dB → HNR ${h} dB`);
    }
  });

  it('decreases monotonically with added noise', () => {
    const h = [30, 20, 10, 5].map((snr) => features(mix(snr))('HNRdB_mean'));
    for (let i = 1; i < h.length; i++) assert.ok(h[i] < h[i - 1], `HNR sequence ${h.join(', ')}`);
  });
});

describe('egemaps-ts formants', () => {
  const vowels: [string, number[], number[]][] = [
    ['/a/', [700, 1220, 2600], [80, 90, 120]],
    ['/e/', [530, 1840, 2480], [70, 100, 140]],
    ['/o/', [570, 840, 2410], [70, 80, 120]],
  ];
  for (const [label, formantsHz, bandwidthsHz] of vowels) {
    for (const f0Hz of [100, 130]) {
      it(`${label} at F0 ${f0Hz} Hz: F1–F3 within 10 %`, () => {
        const get = features(normalizePeak(vowel({ sampleRateHz: FS, durationS: 0.8, f0Hz, formantsHz, bandwidthsHz })));
        formantsHz.forEach((f, k) => {
          const est = get(`F${k + 1}frequencyHz_mean`);
          assert.ok(Math.abs(est - f) / f < 0.1, `F${k + 1}: ${est.toFixed(0)} vs ${f}`);
          const bw = get(`F${k + 1}bandwidthHz_mean`);
          assert.ok(bw > 10 && bw < 700, `B${k + 1}: ${bw}`);
        });
        assert.ok(get('F1frequencyHz_cv') < 0.05, 'F1 steady');
      });
    }
  }

  it('the widest requested /a/ also works at 200 Hz F0 (within 10 %)', () => {
    const get = features(synth({ f0Hz: 200 }));
    [700, 1220, 2600].forEach((f, k) => {
      const est = get(`F${k + 1}frequencyHz_mean`);
      assert.ok(Math.abs(est - f) / f < 0.1, `F${k + 1}: ${est.toFixed(0)} vs ${f}`);
    });
  });
});
