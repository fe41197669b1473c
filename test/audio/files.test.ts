// Listing the files to process: folders (recursive or not, symlinks followed, loops and dangling
// links survived), CSV manifests with the user's own column names, and command-line inputs.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { checkColumnMapping, listInputFiles, listInputs, scanDir, walkFiles } from '../../src/audio/index.js';
import { fixture, rejectsWith } from '../data/corpora/helpers.js';

describe('scanDir and listInputs on folders', () => {
  test('recursive by default; recurse: false lists the top folder only', async () => {
    const fx = fixture('files');
    try {
      fx.wav('top.wav');
      fx.wav('sub/deep.flac');
      fx.wav('sub/more/deeper.WAV');
      fx.text('notes.txt', 'not audio');
      assert.deepEqual(
        (await listInputs(fx.root)).map((it) => it.id),
        ['sub/deep.flac', 'sub/more/deeper.WAV', 'top.wav'],
      );
      assert.deepEqual(await listInputs(fx.root, { recurse: false }), [{ id: 'top.wav', path: join(fx.root, 'top.wav') }]);
      fx.wav('only-deep/inner/x.wav');
      await rejectsWith(listInputs(join(fx.root, 'only-deep'), { recurse: false }), join(fx.root, 'only-deep'), 'no audio files found');
    } finally {
      fx.cleanup();
    }
  });

  test('symlinked files and folders are followed with ids of the link; a loop and a dangling link are skipped', async () => {
    const fx = fixture('files-links');
    const outside = fixture('files-outside');
    try {
      fx.wav('a.wav');
      const target = outside.wav('real/b.wav');
      outside.wav('real/nested/c.wav');
      symlinkSync(target, join(fx.root, 'linked.wav'));
      symlinkSync(join(outside.root, 'real'), join(fx.root, 'linked-dir'));
      symlinkSync(join(fx.root, 'missing.wav'), join(fx.root, 'dangling.wav'));
      mkdirSync(join(fx.root, 'loop'));
      symlinkSync(fx.root, join(fx.root, 'loop', 'back-to-root'));
      symlinkSync(join(fx.root, 'loop'), join(fx.root, 'loop', 'self'));
      const items = await scanDir(fx.root);
      assert.deepEqual(
        items.map((it) => it.id),
        ['a.wav', 'linked-dir/b.wav', 'linked-dir/nested/c.wav', 'linked.wav'],
      );
      assert.equal(items[3].path, join(fx.root, 'linked.wav'), 'the path is the link, not its target');
      // Without recursion a linked folder is not entered, a linked file still counts.
      assert.deepEqual(
        (await scanDir(fx.root, { recurse: false })).map((it) => it.id),
        ['a.wav', 'linked.wav'],
      );
      // A root given relative to the working directory keeps relative ids and paths.
      const rel = relative(process.cwd(), fx.root);
      assert.deepEqual(
        (await scanDir(rel, { recurse: false })).map((it) => it.path),
        [join(rel, 'a.wav'), join(rel, 'linked.wav')],
      );
    } finally {
      fx.cleanup();
      outside.cleanup();
    }
  });

  test('walkFiles keeps files by name and fails on a missing root', async () => {
    const fx = fixture('files-walk');
    try {
      fx.text('x/keep.txt', '1');
      fx.text('x/drop.md', '2');
      assert.deepEqual(await walkFiles(fx.root, { keep: (n) => n.endsWith('.txt') }), [join(fx.root, 'x/keep.txt')]);
      await assert.rejects(walkFiles(join(fx.root, 'nope')), { code: 'ENOENT' });
    } finally {
      fx.cleanup();
    }
  });
});

describe('listInputs on CSV manifests with a column mapping', () => {
  test('path and id columns under the user’s names; relative paths resolve against the manifest folder, not the working directory', async () => {
    const fx = fixture('files-manifest');
    const cwd = process.cwd();
    try {
      fx.wav('audio/a.wav');
      fx.wav('lists/sub/clips/b.wav');
      fx.text('lists/sub/m.csv', ['file,name,actor', '../../audio/a.wav,first,s1', 'clips/b.wav,,s2'].join('\n'));
      mkdirSync(join(fx.root, 'elsewhere'));
      process.chdir(join(fx.root, 'elsewhere'));
      const items = await listInputs('../lists/sub/m.csv', { columns: { path: 'file', id: 'name' } });
      assert.deepEqual(items, [
        { id: 'first', path: join(fx.root, 'audio/a.wav') },
        { id: 'clips/b.wav', path: join(fx.root, 'lists/sub/clips/b.wav') },
      ]);
    } finally {
      process.chdir(cwd);
      fx.cleanup();
    }
  });

  test('bad mappings and manifests are refused with the file and the column', async () => {
    const fx = fixture('files-manifest-bad');
    try {
      fx.wav('a.wav');
      const file = fx.text('m.csv', 'file,name\na.wav,x\n');
      const cases: Array<[Record<string, string>, string[]]> = [
        [{ lable: 'file' }, [file, "unknown column 'lable'", 'accepted: path, id']],
        [{ path: 'nope' }, [file, "column 'nope' (mapped to 'path') is not in the manifest", 'columns: file, name']],
        [{ path: 'file', id: 'file' }, [file, "'path' and 'id' are both mapped to column 'file'"]],
        [{ id: 'path' }, [file, "'id' is mapped to column 'path', which is also read as 'path'"]],
        [{ path: '' }, [file, "column 'path' must be mapped to a column name"]],
      ];
      for (const [columns, fragments] of cases) await rejectsWith(listInputs(file, { columns }), ...fragments);
      await rejectsWith(listInputs(file), file, "no 'path' column", 'columns: file, name');
      await rejectsWith(listInputs(fx.root, { columns: { path: 'file' } }), fx.root, 'applies to CSV manifests, not to folders');
      fx.text('empty-path.csv', 'file,id\na.wav,1\n,2\n');
      await rejectsWith(listInputs(join(fx.root, 'empty-path.csv'), { columns: { path: 'file' } }), "row 3 has an empty 'file'");
      assert.throws(() => checkColumnMapping(['path'], ['path'], 'here'), /^Error: here: the column mapping must be an object/);
    } finally {
      fx.cleanup();
    }
  });
});

describe('listInputFiles (command-line inputs)', () => {
  test('files, folders (with or without recursion) and mapped CSV manifests', async () => {
    const fx = fixture('files-inputs');
    try {
      const single = fx.wav('one.wav');
      fx.wav('dir/a.wav');
      fx.wav('dir/sub/b.wav');
      const listed = fx.wav('listed/c.wav');
      const csv = fx.text('listed/m.csv', 'file\nc.wav\n');
      assert.deepEqual(await listInputFiles([single, join(fx.root, 'dir'), csv], { columns: { path: 'file' } }), [
        single,
        join(fx.root, 'dir/a.wav'),
        join(fx.root, 'dir/sub/b.wav'),
        listed,
      ]);
      assert.deepEqual(await listInputFiles([join(fx.root, 'dir')], { recurse: false }), [join(fx.root, 'dir/a.wav')]);
      await rejectsWith(listInputFiles([join(fx.root, 'dir')], { columns: { path: 'file' } }), 'applies to CSV manifests', 'dir');
      await rejectsWith(listInputFiles([join(fx.root, 'nope.wav')]), 'nope.wav: no such file or directory');
      mkdirSync(join(fx.root, 'empty'));
      await rejectsWith(listInputFiles([join(fx.root, 'empty')]), 'no audio files in');
    } finally {
      fx.cleanup();
    }
  });
});
