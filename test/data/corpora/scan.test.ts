// Scanning corpus folders for audio: recursion on by default (off on request), symlinked files
// and folders followed under the link's path, symlink loops and dangling links skipped.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { scanAudio } from '../../../src/data/corpora/common.js';
import { tess } from '../../../src/data/corpora/index.js';
import { fixture } from './helpers.js';

describe('scanAudio', () => {
  test('recursive by default, top folder only with recurse: false; hidden files and other extensions are skipped', async () => {
    const fx = fixture('scan');
    try {
      const top = fx.wav('a.wav');
      const deep = fx.wav('x/y/b.wav');
      fx.wav('._a.wav');
      fx.wav('c.flac');
      assert.deepEqual(await scanAudio(fx.root, ['.wav']), [top, deep]);
      assert.deepEqual(await scanAudio(fx.root, ['.wav'], { recurse: false }), [top]);
      assert.deepEqual(await scanAudio(join(fx.root, 'missing')), []);
    } finally {
      fx.cleanup();
    }
  });

  test('follows symlinked files and folders, keeps the link path, survives loops and dangling links', async () => {
    const fx = fixture('scan-links');
    const store = fixture('scan-store');
    try {
      const real = store.wav('speaker/u1.wav');
      store.wav('speaker/deeper/u2.wav');
      symlinkSync(real, join(fx.root, 'file-link.wav'));
      symlinkSync(join(store.root, 'speaker'), join(fx.root, 'dir-link'));
      symlinkSync(join(fx.root, 'gone.wav'), join(fx.root, 'dangling.wav'));
      mkdirSync(join(fx.root, 'cycle'));
      symlinkSync(fx.root, join(fx.root, 'cycle', 'up'));
      assert.deepEqual(await scanAudio(fx.root, ['.wav']), [
        join(fx.root, 'dir-link/deeper/u2.wav'),
        join(fx.root, 'dir-link/u1.wav'),
        join(fx.root, 'file-link.wav'),
      ]);
      assert.deepEqual(await scanAudio(fx.root, ['.wav'], { recurse: false }), [join(fx.root, 'file-link.wav')]);
    } finally {
      fx.cleanup();
      store.cleanup();
    }
  });

  test('an adapter lists a speaker folder that is a symlink (TESS)', async () => {
    const fx = fixture('scan-tess');
    const store = fixture('scan-tess-store');
    try {
      fx.wav('OAF/OAF_back_angry.wav');
      store.wav('YAF/YAF_dog_sad.wav');
      symlinkSync(join(store.root, 'YAF'), join(fx.root, 'YAF'));
      const utts = await tess.list(fx.root);
      assert.deepEqual(
        utts.map((u) => [u.id, u.path, u.speaker]),
        [
          ['OAF_back_angry', join(fx.root, 'OAF/OAF_back_angry.wav'), 'tess:OAF'],
          ['YAF_dog_sad', join(fx.root, 'YAF/YAF_dog_sad.wav'), 'tess:YAF'],
        ],
      );
    } finally {
      fx.cleanup();
      store.cleanup();
    }
  });
});
