/**
 * WAV decoding against hand-written files: every PCM width, float32/64, EXTENSIBLE,
 * multi-channel, odd-sized chunks and streaming (unknown) data sizes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAudio, toMono } from '../../src/audio/index.js';
import { makeWav, type WavSampleFormat } from './helpers.js';

/** Integer codes and the exact float each must decode to (code / 2^(bits−1)). */
const CASES: Array<{ format: WavSampleFormat; codes: number[]; expected: number[] }> = [
  { format: 'pcm8', codes: [0, 64, 128, 192, 255], expected: [-1, -0.5, 0, 0.5, 127 / 128] },
  { format: 'pcm16', codes: [-32768, -16384, 0, 1, 16384, 32767], expected: [-1, -0.5, 0, 1 / 32768, 0.5, 32767 / 32768] },
  {
    format: 'pcm24',
    codes: [-8388608, -4194304, -1, 0, 1, 4194304, 8388607],
    expected: [-1, -0.5, -1 / 8388608, 0, 1 / 8388608, 0.5, 8388607 / 8388608],
  },
  {
    format: 'pcm32',
    codes: [-2147483648, -1073741824, 0, 65536, 1073741824, 2147483647],
    expected: [-1, -0.5, 0, 65536 / 2147483648, 0.5, 2147483647 / 2147483648],
  },
  { format: 'float32', codes: [-1, -0.25, 0, 0.125, 0.999], expected: [-1, -0.25, 0, 0.125, Math.fround(0.999)] },
  { format: 'float64', codes: [-1, -0.25, 0, 0.125, 0.999], expected: [-1, -0.25, 0, 0.125, Math.fround(0.999)] },
];

function assertSamples(actual: Float32Array, expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  expected.forEach((e, i) => assert.equal(actual[i], Math.fround(e), `${what}: sample ${i}`));
}

describe('WAV decoding (hand-written files)', () => {
  for (const { format, codes, expected } of CASES) {
    for (const extensible of [false, true]) {
      it(`${format}${extensible ? ' (WAVE_FORMAT_EXTENSIBLE)' : ''} mono decodes to exact values`, async () => {
        const bytes = makeWav({ format, sampleRateHz: 22050, channels: [codes], extensible });
        const audio = await decodeAudio(bytes, `${format}.wav`);
        assert.equal(audio.sampleRateHz, 22050);
        assert.equal(audio.channels.length, 1);
        assertSamples(audio.channels[0], expected, format);
      });
    }
  }

  it('de-interleaves stereo 16-bit', async () => {
    const left = [0, 16384, -16384, 32767];
    const right = [-32768, 8192, 0, -1];
    const audio = await decodeAudio(makeWav({ format: 'pcm16', sampleRateHz: 16000, channels: [left, right] }), 'stereo.wav');
    assert.equal(audio.channels.length, 2);
    assertSamples(audio.channels[0], [0, 0.5, -0.5, 32767 / 32768], 'left');
    assertSamples(audio.channels[1], [-1, 0.25, 0, -1 / 32768], 'right');
    assertSamples(toMono(audio), [-0.5, 0.375, -0.25, (32767 / 32768 - 1 / 32768) / 2], 'mono mix');
  });

  it('de-interleaves 6-channel 24-bit EXTENSIBLE', async () => {
    const channels = Array.from({ length: 6 }, (_, c) => [c * 1000, -c * 1000, 4194304 - c]);
    const audio = await decodeAudio(makeWav({ format: 'pcm24', sampleRateHz: 48000, channels, extensible: true }), 'surround.wav');
    assert.equal(audio.sampleRateHz, 48000);
    assert.equal(audio.channels.length, 6);
    channels.forEach((codes, c) =>
      assertSamples(
        audio.channels[c],
        codes.map((v) => v / 8388608 + 0),
        `channel ${c}`,
      ),
    );
  });

  it('de-interleaves stereo float64 EXTENSIBLE', async () => {
    const audio = await decodeAudio(
      makeWav({
        format: 'float64',
        sampleRateHz: 8000,
        channels: [
          [0.5, -0.5],
          [0.25, 1],
        ],
        extensible: true,
      }),
      'f64.wav',
    );
    assertSamples(audio.channels[0], [0.5, -0.5], 'left');
    assertSamples(audio.channels[1], [0.25, 1], 'right');
  });

  it('skips an odd-sized chunk and its pad byte before data', async () => {
    const audio = await decodeAudio(
      makeWav({ format: 'pcm16', sampleRateHz: 16000, channels: [[100, -100, 200]], oddListChunk: true }),
      'list.wav',
    );
    assertSamples(audio.channels[0], [100 / 32768, -100 / 32768, 200 / 32768], 'samples');
  });

  it('reads to the end of the file when the data size is a streaming placeholder', async () => {
    for (const placeholder of [0, 0xffffffff]) {
      const bytes = makeWav({ format: 'pcm16', sampleRateHz: 16000, channels: [[1, 2, 3, 4]], dataSizeOverride: placeholder });
      const audio = await decodeAudio(bytes, 'stream.wav');
      assertSamples(
        audio.channels[0],
        [1, 2, 3, 4].map((v) => v / 32768),
        `placeholder ${placeholder}`,
      );
    }
  });

  it('ignores trailing chunks after the data chunk', async () => {
    const wav = makeWav({ format: 'pcm16', sampleRateHz: 16000, channels: [[7, 8]] });
    const tail = new Uint8Array([...'junk'].map((c) => c.charCodeAt(0)).concat([2, 0, 0, 0, 0xaa, 0xbb]));
    const bytes = new Uint8Array(wav.length + tail.length);
    bytes.set(wav);
    bytes.set(tail, wav.length);
    const audio = await decodeAudio(bytes, 'tail.wav');
    assertSamples(audio.channels[0], [7 / 32768, 8 / 32768], 'samples');
  });
});
