// The packaged pretrained models as every host sees them: their files, their identity (the same
// hash in Node and in the browser), and which of them a feature set runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  PACKAGED_MODEL_FILES,
  SILERO_VAD,
  SPEECH_EMBEDDING,
  modelIdentity,
  packagedModelFiles,
  pretrainedFiles,
} from '../../src/backbones/index.js';
import { getFeatureSet } from '../../src/features/index.js';

test('the identity of a model is the SHA-256 of its files in order, as node:crypto computes it', () => {
  const files = pretrainedFiles({ name: SPEECH_EMBEDDING, weights: null }).map((f) => new Uint8Array(readFileSync(f)));
  const want = createHash('sha256').update(files[0]).update(files[1]).digest('hex');
  assert.equal(modelIdentity(files), want);
  assert.notEqual(modelIdentity([files[1], files[0]]), want, 'the order counts');
  assert.equal(modelIdentity([]), createHash('sha256').digest('hex'));
});

test('each packaged model names its files, and the Node host finds them in the installed packages', () => {
  for (const name of [SPEECH_EMBEDDING, SILERO_VAD]) {
    const paths = pretrainedFiles({ name, weights: null });
    assert.deepEqual(
      paths.map((p) => basename(p)),
      [...PACKAGED_MODEL_FILES[name]],
    );
    for (const p of paths) assert.ok(existsSync(p), p);
  }
  // Exported engine backbones are one graph each, APC and TERA too.
  for (const name of ['wavlm', 'apc', 'tera']) assert.deepEqual(packagedModelFiles(name), ['backbone.onnx']);
  assert.throws(
    () => packagedModelFiles('bert'),
    /no pretrained model named 'bert' \(known: speech-embedding, silero-vad, wav2vec2, hubert, wavlm, whisper, apc, tera\)/,
  );
  assert.throws(() => pretrainedFiles({ name: 'bert', weights: null }), /no pretrained model named 'bert'/);
  assert.throws(() => pretrainedFiles({ name: 'apc', weights: '/runs/apc' }), /backbone 'apc' runs outside Node only as the graph/);
  assert.throws(
    () => pretrainedFiles({ name: 'wav2vec2', weights: '/models/w2v' }),
    /backbone 'wav2vec2' runs outside Node only as the graph `trustser export` writes \(model\.backbone\.onnx\), not from \/models\/w2v/,
  );
  assert.deepEqual(pretrainedFiles({ name: 'whisper', weights: '/x/model.backbone.onnx' }), ['/x/model.backbone.onnx']);
});

test('a feature set lists the pretrained models it runs: backbones, Silero VAD, through fusion', () => {
  assert.equal(getFeatureSet('logmel').models, undefined);
  assert.deepEqual(getFeatureSet('speech-embedding').models, [{ name: SPEECH_EMBEDDING, weights: null }]);
  assert.deepEqual(getFeatureSet('logmel', { vad: 'silero' }).models, [{ name: SILERO_VAD, weights: null }]);
  assert.deepEqual(getFeatureSet('speech-embedding-stats', { vad: 'silero' }).models, [
    { name: SPEECH_EMBEDDING, weights: null },
    { name: SILERO_VAD, weights: null },
  ]);
  assert.deepEqual(getFeatureSet('egemaps-mel+speech-embedding-stats', { 'speech-embedding-stats.layers': 'all' }).models, [
    { name: SPEECH_EMBEDDING, weights: null },
  ]);
});
