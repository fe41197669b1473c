/** WAV encoding (16-bit PCM), for synthesized corpora and exported clips. */

const WAV_HEADER_BYTES = 44;
const PCM16_MAX = 32767;

/**
 * Encodes mono float samples in [-1, 1] as a 16-bit PCM WAV file (values outside are clipped).
 * @param sampleRateHz sample rate written to the header (Hz).
 */
export function encodeWav16(samples: Float32Array, sampleRateHz: number): Uint8Array {
  if (!Number.isInteger(sampleRateHz) || sampleRateHz <= 0)
    throw new RangeError(`encodeWav16: sampleRateHz must be a positive integer, got ${sampleRateHz}`);
  const dataBytes = samples.length * 2;
  const out = new Uint8Array(WAV_HEADER_BYTES + dataBytes);
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string) => [...s].forEach((ch, i) => v.setUint8(at + i, ch.charCodeAt(0)));
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true); // fmt chunk size
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, sampleRateHz, true);
  v.setUint32(28, sampleRateHz * 2, true); // byte rate
  v.setUint16(32, 2, true); // block align
  v.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  v.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    v.setInt16(WAV_HEADER_BYTES + 2 * i, Math.round(s * PCM16_MAX), true);
  }
  return out;
}
