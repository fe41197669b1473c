/**
 * The trustser web app: loads the served model into the page (ONNX Runtime Web), takes a file
 * (drop or choose) or a microphone recording, and shows the calibrated emotion posteriors over
 * time (the label `unknown` below the minimum confidence the user sets), the spoof score when the
 * server has a countermeasure, and the model's trust radar. By default
 * nothing leaves the device; server mode posts the audio to `/v1/analyze` instead.
 */
import './style.css';
import { encodeWav16, frameCount, prepareAudio } from '../../src/audio/pure.js';
import { UNKNOWN_LABEL } from '../../src/metrics/pure.js';
import { applyMinConfidence, type AnalyzeResponse, type ModelInfo } from '../../src/serve/pure.js';
import { ApiError, analyzeOnServer, bytes, modelInfo, saveToken, sidecar } from './api.js';
import { decodeBytes, Recorder } from './audio.js';
import { providePretrained } from './pretrained.js';
import { BrowserSerModel } from './ser.js';
import { BrowserSpoofModel } from './spoof.js';
import { drawWaveform, emotionBars, emotionTimeline, trustRadar } from './views/index.js';

type Status = 'loading' | 'ready' | 'working' | 'done' | 'error';

interface Loaded {
  info: ModelInfo;
  ser: BrowserSerModel;
  spoof: BrowserSpoofModel | null;
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html lacks #${id}`);
  return el as T;
};

let loaded: Loaded | null = null;
/** The result on the page, kept so a new minimum confidence relabels it without analyzing again. */
let shown: { r: AnalyzeResponse; signal: Float32Array; rateHz: number; where: string } | null = null;
let busy = false;
let recorder: Recorder | null = null;

function setStatus(state: Status, text: string): void {
  const s = $('status');
  s.dataset.state = state;
  s.textContent = text;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const ms = (x: number) => `${x.toFixed(0)} ms`;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
/** The explanation beside the minimum-confidence input while its value is valid. */
const MIN_CONFIDENCE_NOTE = 'below it the label is “unknown” (the probabilities are still shown)';

/** The minimum confidence the user typed (empty: 0, off). @throws Error naming the bad value. */
function userMinConfidence(): number {
  const input = $<HTMLInputElement>('min-confidence');
  const raw = input.value.trim();
  if (input.validity.badInput) throw new Error('minimum confidence: not a number; give a probability between 0 and 1');
  if (raw === '') return 0;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0 || v > 1) throw new Error(`minimum confidence: expected a probability between 0 and 1, got ${raw}`);
  return v;
}

/** The threshold labels are given with: the user's, but never below the server's (`--min-confidence`). */
function minConfidence(): number {
  return Math.max(userMinConfidence(), loaded?.info.minConfidence ?? 0);
}

/** Checks the input, marks it invalid with the reason; returns whether it is valid. */
function checkMinConfidenceInput(): boolean {
  const input = $<HTMLInputElement>('min-confidence');
  try {
    userMinConfidence();
    input.removeAttribute('aria-invalid');
    $('min-confidence-note').textContent = MIN_CONFIDENCE_NOTE;
    return true;
  } catch (e) {
    input.setAttribute('aria-invalid', 'true');
    $('min-confidence-note').textContent = message(e);
    setStatus('error', message(e));
    return false;
  }
}

function serverMode(): boolean {
  return $<HTMLInputElement>('server-mode').checked;
}

function renderModel(info: ModelInfo): void {
  const t = info.trust;
  $('model-line').textContent = `${info.model.name} · ${info.classes.join(', ')} · trained on ${info.model.corpus}`;
  const facts: [string, string][] = [
    ['model', `${info.model.name} (${info.model.params.toLocaleString('en')} parameters, fold ${info.model.foldName ?? info.model.fold})`],
    ['features', `${info.features.set} at ${info.sampleRateHz} Hz (${info.features.inputKind} input)`],
    ['classes', info.classes.join(', ')],
    ['windows', `${info.windowing.windowSeconds} s every ${info.windowing.hopSeconds} s`],
    ['export check', `max |ΔP| ${info.verification.maxAbsDiff.toExponential(1)} vs the engine on ${info.verification.probes} probes`],
    [
      'calibration',
      info.calibration.calibrated
        ? `temperature ${info.calibration.temperature.toFixed(2)} (fitted on the fold's dev set)`
        : 'not calibrated: the probabilities are the model’s own',
    ],
    [
      'spoof model',
      info.spoof ? `${info.spoof.name ?? 'yes'} (${info.spoof.samples} samples at ${info.spoof.sampleRateHz} Hz)` : 'none on this server',
    ],
  ];
  if (info.minConfidence > 0) facts.push(['minimum confidence', `${pct(info.minConfidence)} (this server's floor)`]);
  if (t?.wa != null) facts.push(['WA', `${(100 * t.wa).toFixed(1)}%`]);
  $('model-facts').replaceChildren(
    ...facts.flatMap(([k, v]) => [
      Object.assign(document.createElement('dt'), { textContent: k }),
      Object.assign(document.createElement('dd'), { textContent: v }),
    ]),
  );
  const radar = trustRadar(info);
  if (radar)
    $('radar').innerHTML = radar; // SVG text from src/report (every label escaped)
  else $('radar').textContent = 'This model was exported without a trust audit (run `trustser audit` on the run before `trustser export`).';
}

/** The headline of an emotion: its label and probability, or `unknown` with the top class and the threshold. */
function headline(e: NonNullable<AnalyzeResponse['emotion']>, threshold: number): string {
  if (e.label !== UNKNOWN_LABEL) return `${e.label} (${pct(e.probs[e.label])})`;
  const [top, p] = Object.entries(e.probs).reduce((a, b) => (b[1] > a[1] ? b : a));
  return `${UNKNOWN_LABEL} (most likely ${top} at ${pct(p)}, below the minimum confidence ${pct(threshold)})`;
}

/** Shows a result under the current minimum confidence; returns its label (null: no speech). */
function render(raw: AnalyzeResponse, signal: Float32Array, rateHz: number, where: string): string | null {
  shown = { r: raw, signal, rateHz, where };
  const threshold = minConfidence();
  const r = applyMinConfidence(raw, raw.model.classes, threshold);
  $('results').hidden = false;
  $('headline').textContent = r.emotion ? headline(r.emotion, threshold) : `No speech detected (${r.speech.reason ?? 'no voice activity'})`;
  const t = r.timingMs;
  $('details').textContent =
    `${r.audio.durationSeconds.toFixed(2)} s, ${r.audio.sampleRateHz} Hz, ${r.audio.channels} ch · analyzed ${where}: decode ${ms(t.decode)}, emotion ${ms(t.emotion)}${t.spoof === undefined ? '' : `, spoof ${ms(t.spoof)}`}, total ${ms(t.total)}`;
  const sp = $('spoof');
  sp.hidden = !r.spoof;
  if (r.spoof) {
    sp.className = r.spoof.label;
    sp.textContent = `Spoof check: ${r.spoof.label === 'bonafide' ? 'bona fide' : 'spoofed'} (${r.spoof.pSpoof === null ? `bona fide score ${r.spoof.score.toFixed(3)}, uncalibrated` : `P(spoof) ${r.spoof.pSpoof.toFixed(2)}, threshold ${r.spoof.threshold!.toFixed(3)}`}; mean of ${r.spoof.windows} window${r.spoof.windows === 1 ? '' : 's'} over ${r.spoof.scoredSeconds.toFixed(1)} s)`;
  }
  drawWaveform($<HTMLCanvasElement>('waveform'), signal, rateHz, r.windows);
  $('emotion-chart').innerHTML = r.emotion ? emotionBars(r.emotion, r.model.classes) : '';
  $('timeline-chart').innerHTML = r.emotion ? emotionTimeline(r) : '';
  $('result-json').textContent = JSON.stringify(r);
  return r.emotion?.label ?? null;
}

/** Analyzes one clip (file bytes, or a recording encoded as WAV), in the page or on the server. */
async function analyze(data: Uint8Array, type: string, name: string): Promise<void> {
  if (!loaded || busy) return;
  const { info, ser, spoof } = loaded;
  busy = true;
  const remote = serverMode();
  try {
    // A bad threshold is refused before any analysis.
    const threshold = minConfidence();
    setStatus('working', `Analyzing ${name}${remote ? ' on the server' : ' in this browser'}…`);
    const t0 = performance.now();
    const audio = await decodeBytes(data, name);
    const signal = prepareAudio(audio, ser.sampleRateHz);
    const t1 = performance.now();
    let r: AnalyzeResponse;
    if (remote) {
      r = await analyzeOnServer(data, type, name, threshold > info.minConfidence ? threshold : 0);
    } else {
      const emotion = await ser.analyze(signal, info.windowing);
      const t2 = performance.now();
      const verdict = spoof ? await spoof.score(prepareAudio(audio, spoof.sampleRateHz)) : undefined;
      const t3 = performance.now();
      r = {
        ...emotion,
        ...(verdict ? { spoof: verdict } : {}),
        audio: {
          durationSeconds: frameCount(audio) / audio.sampleRateHz,
          sampleRateHz: audio.sampleRateHz,
          channels: audio.channels.length,
        },
        timingMs: { decode: t1 - t0, emotion: t2 - t1, ...(verdict ? { spoof: t3 - t2 } : {}), total: t3 - t0 },
        model: { name: info.model.name, classes: info.classes, sampleRateHz: info.sampleRateHz, ...info.windowing },
      };
    }
    const label = render(r, signal, ser.sampleRateHz, remote ? 'on the server' : 'in this browser');
    setStatus('done', `${name}: ${label ?? 'no speech'}`);
  } catch (e) {
    setStatus('error', message(e));
  } finally {
    busy = false;
  }
}

async function onFile(file: File): Promise<void> {
  await analyze(new Uint8Array(await file.arrayBuffer()), file.type, file.name);
}

async function toggleRecording(): Promise<void> {
  const button = $<HTMLButtonElement>('record');
  if (!recorder) {
    try {
      recorder = await Recorder.start();
      button.textContent = '■ Stop';
      button.classList.add('recording');
      setStatus('working', 'Recording… press Stop to analyze.');
    } catch (e) {
      setStatus('error', `cannot record: ${message(e)}`);
    }
    return;
  }
  const rec = recorder;
  recorder = null;
  button.textContent = '● Record';
  button.classList.remove('recording');
  try {
    const { bytes: raw } = await rec.stop();
    // One WAV at the model's rate: the page and server mode then analyze the same samples.
    const rate = loaded!.ser.sampleRateHz;
    const wav = encodeWav16(prepareAudio(await decodeBytes(raw, 'recording'), rate), rate);
    await analyze(wav, 'audio/wav', 'recording.wav');
  } catch (e) {
    setStatus('error', `recording: ${message(e)}`);
  }
}

async function boot(): Promise<void> {
  setStatus('loading', 'Loading the model…');
  try {
    const info = await modelInfo();
    renderModel(info);
    const [sc, modelBytes, spoofBytes] = await Promise.all([
      sidecar(info),
      bytes(info.files.model),
      info.files.spoof ? bytes(info.files.spoof) : null,
    ]);
    await providePretrained(info);
    const ser = await BrowserSerModel.create(modelBytes, sc);
    const spoof = spoofBytes && info.spoof ? await BrowserSpoofModel.create(spoofBytes, info.spoof) : null;
    loaded = { info, ser, spoof };
    $<HTMLButtonElement>('record').disabled = false;
    $('token-form').hidden = true;
    setStatus('ready', `Ready: ${info.model.name} runs in this page${spoof ? ', with the spoof model' : ''}. Drop a file or record.`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      $('token-form').hidden = false;
      setStatus('error', 'This server needs an access token.');
      return;
    }
    setStatus('error', message(e));
  }
}

function wire(): void {
  const drop = $('dropzone');
  const input = $<HTMLInputElement>('file');
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    if (f) void onFile(f);
    input.value = '';
  });
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void onFile(f);
  });
  $('record').addEventListener('click', () => void toggleRecording());
  $('min-confidence').addEventListener('input', () => {
    if (!checkMinConfidenceInput()) return;
    const threshold = minConfidence();
    const what = threshold > 0 ? `minimum confidence ${pct(threshold)}` : 'no minimum confidence';
    if (!shown) {
      if (loaded && $('status').dataset.state === 'error') setStatus('ready', `Ready (${what}). Drop a file or record.`);
      return;
    }
    const label = render(shown.r, shown.signal, shown.rateHz, shown.where);
    setStatus('done', `${what}: ${label ?? 'no speech'}`);
  });
  $<HTMLInputElement>('server-mode').addEventListener('change', (e) => {
    $('privacy').textContent = (e.target as HTMLInputElement).checked
      ? 'Server mode: the audio is sent to this server, analyzed there, and not stored.'
      : 'Audio stays on this device: decoding, features and the model run in this page.';
  });
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    saveToken($<HTMLInputElement>('token').value.trim());
    void boot();
  });
}

wire();
void boot();
