/**
 * Audio into the page: files are decoded with the project's own decoder (src/audio: WAV, FLAC,
 * MP3, Ogg — the same code the server runs), other formats and microphone recordings (WebM/Opus
 * from MediaRecorder) with WebAudio's decodeAudioData; then mixed to mono and resampled to the
 * model's rate with src/audio's resampler, exactly as `loadAudio` does on the server.
 */
import { AudioError, decodeAudio, type Audio } from '../../src/audio/pure.js';

/** Rate WebAudio decodes at when the project's decoder does not know the format (Hz). */
const WEBAUDIO_DECODE_RATE_HZ = 48_000;

/** Decodes with the browser (any format it plays). */
async function decodeWithWebAudio(bytes: Uint8Array, label: string): Promise<Audio> {
  const ctx = new OfflineAudioContext(1, 1, WEBAUDIO_DECODE_RATE_HZ);
  let buf: AudioBuffer;
  try {
    buf = await ctx.decodeAudioData(bytes.slice().buffer);
  } catch (e) {
    throw new Error(`${label}: the browser cannot decode this audio (${(e as Error).message || 'unknown format'})`);
  }
  return { sampleRateHz: buf.sampleRate, channels: Array.from({ length: buf.numberOfChannels }, (_, c) => buf.getChannelData(c).slice()) };
}

/** Decodes file bytes: the project's decoder first, WebAudio for formats it does not read. */
export async function decodeBytes(bytes: Uint8Array, label: string): Promise<Audio> {
  try {
    return await decodeAudio(bytes, label);
  } catch (e) {
    if (e instanceof AudioError && e.kind === 'unsupported') return decodeWithWebAudio(bytes, label);
    throw e;
  }
}

/** Records from the microphone with MediaRecorder; `stop()` returns the recording's bytes. */
export class Recorder {
  private constructor(
    private readonly stream: MediaStream,
    private readonly recorder: MediaRecorder,
    private readonly chunks: Blob[],
  ) {}

  /** Asks for the microphone (raw: no echo cancellation, noise suppression or gain control) and starts. */
  static async start(): Promise<Recorder> {
    if (!navigator.mediaDevices?.getUserMedia)
      throw new Error('this browser cannot record (no getUserMedia; the page must be served from localhost or https)');
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    const chunks: Blob[] = [];
    const recorder = new MediaRecorder(stream);
    recorder.ondataavailable = (e) => {
      if (e.data.size > 0) chunks.push(e.data);
    };
    recorder.start();
    return new Recorder(stream, recorder, chunks);
  }

  async stop(): Promise<{ bytes: Uint8Array; type: string }> {
    const done = new Promise<void>((resolve) => (this.recorder.onstop = () => resolve()));
    this.recorder.stop();
    await done;
    this.stream.getTracks().forEach((t) => t.stop());
    const blob = new Blob(this.chunks, { type: this.recorder.mimeType });
    return { bytes: new Uint8Array(await blob.arrayBuffer()), type: blob.type };
  }
}
