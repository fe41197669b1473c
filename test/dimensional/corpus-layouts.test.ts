import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/index.js';
import { parseRavdessName, proxyAttributes } from '../../src/data/index.js';
import { parseDimensionalConfig, readDimensionalFoldResult, readTargetNorm, trainDimensional } from '../../src/dimensional/index.js';

const RAVDESS = join(packageRoot(), '..', 'shared', 'data', 'ravdess-speech-16k');
const skip = existsSync(RAVDESS) ? false : `${RAVDESS} not found: this test needs real speech from the shared RAVDESS copy`;
/** MSP-Podcast's class letters for the RAVDESS emotions used here. */
const LETTER: Record<string, string> = { neutral: 'N', happy: 'H', sad: 'S', angry: 'A', fearful: 'F', disgust: 'D', surprised: 'U' };

test('a dimensional run on an MSP-Podcast tree (labels_consensus.csv, 1–7 ratings, official partitions)', { skip }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'trustser-podcast-'));
  try {
    mkdirSync(join(root, 'Labels'));
    mkdirSync(join(root, 'Audios'));
    // Six RAVDESS actors' clips as podcast segments: ratings on MSP-Podcast's 1–7 scale (the
    // proxies stretched from 1–5), actors 1–4 Train, 5 Development, 6 Test1.
    const rows: string[] = [];
    const split = ['Train', 'Train', 'Train', 'Train', 'Development', 'Test1'];
    for (const [a, actor] of ['01', '02', '03', '04', '05', '06'].entries()) {
      const clips = readdirSync(join(RAVDESS, `Actor_${actor}`)).filter((f) => /^03-01-(0[13-8])-\d\d-01-01-\d\d\.wav$/.test(f));
      clips.forEach((f, i) => {
        const n = parseRavdessName(f);
        const p = proxyAttributes(n.emotion, n.intensity)!;
        const seven = (v: number) => (1 + (v - 1) * 1.5).toFixed(2);
        const name = `MSP-PODCAST_${String(a + 1).padStart(4, '0')}_${String(i + 1).padStart(4, '0')}.wav`;
        copyFileSync(join(RAVDESS, `Actor_${actor}`, f), join(root, 'Audios', name));
        rows.push(
          [
            name,
            LETTER[n.emotion],
            seven(p.arousal),
            seven(p.valence),
            seven(p.dominance),
            String(100 + a),
            a % 2 ? 'Female' : 'Male',
            split[a],
          ].join(','),
        );
      });
    }
    writeFileSync(
      join(root, 'Labels', 'labels_consensus.csv'),
      ['FileName,EmoClass,EmoAct,EmoVal,EmoDom,SpkrID,Gender,Split_Set', ...rows].join('\n'),
    );
    const cfg = parseDimensionalConfig({
      task: 'dimensional',
      corpus: { name: 'msp-podcast', root },
      targets: ['arousal', 'valence'],
      range: [1, 7],
      protocol: { kind: 'official' },
      training: { epochs: 10, batchSize: 16, lr: 1e-3, seed: 1, threads: 1 },
    });
    const out = join(root, 'run');
    const m = await trainDimensional(cfg, out, { workers: 0, cacheDir: join(root, 'cache') });
    assert.equal(m.attributes, 'corpus');
    assert.equal(m.folds.length, 1);
    const r = readDimensionalFoldResult(out, 0);
    assert.equal(r.predictions.length, rows.length / 6); // the Test1 actor
    // Labels come from the CSV on its 1–7 scale (the training mean lies inside it, above the 1–5 proxies' midpoint 3).
    const tn = readTargetNorm(out, 0);
    assert.ok(tn.mean[0] > 3 && tn.mean[0] < 7, `arousal mean ${tn.mean[0]}`);
    assert.ok(m.ccc.arousal!.mean > 0.2, `test CCC arousal ${m.ccc.arousal!.mean}`);
    // A rating outside the configured range is refused, naming the file and the attribute.
    writeFileSync(
      join(root, 'Labels', 'labels_consensus.csv'),
      ['FileName,EmoClass,EmoAct,EmoVal,EmoDom,SpkrID,Gender,Split_Set', ...rows].join('\n'),
    );
    await assert.rejects(
      trainDimensional(parseDimensionalConfig({ ...cfg, range: [1, 5] }), join(root, 'narrow'), {
        workers: 0,
        cacheDir: join(root, 'cache'),
      }),
      /MSP-PODCAST_\d{4}_\d{4}\.wav: arousal [\d.]+ is outside range \[1, 5\]/,
    );
    assert.ok(!existsSync(join(root, 'narrow')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
