/** The waveform of the analyzed signal on a canvas: min/max envelope per pixel column (peak-normalized), window spans shaded. */

/** Canvas height (CSS px). */
const HEIGHT_PX = 120;
const WAVE_COLOR = '#0072B2';
const WINDOW_SHADE = 'rgba(0, 114, 178, 0.07)';
const AXIS_COLOR = '#d0d7de';

/**
 * Draws `signal` (at `rateHz`) across the canvas' width, with the analysis windows
 * (start, end in s) shaded alternately so overlapping windows stay visible.
 */
export function drawWaveform(
  canvas: HTMLCanvasElement,
  signal: Float32Array,
  rateHz: number,
  windows: readonly { startSeconds: number; endSeconds: number }[],
): void {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.parentElement?.clientWidth || 600;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(HEIGHT_PX * dpr);
  canvas.style.height = `${HEIGHT_PX}px`;
  const g = canvas.getContext('2d');
  if (!g) return;
  g.scale(dpr, dpr);
  g.clearRect(0, 0, width, HEIGHT_PX);
  const seconds = signal.length / rateHz;
  windows.forEach((w, i) => {
    if (i % 2 === 1) return;
    g.fillStyle = WINDOW_SHADE;
    g.fillRect((w.startSeconds / seconds) * width, 0, ((w.endSeconds - w.startSeconds) / seconds) * width, HEIGHT_PX);
  });
  const mid = HEIGHT_PX / 2;
  g.strokeStyle = AXIS_COLOR;
  g.beginPath();
  g.moveTo(0, mid);
  g.lineTo(width, mid);
  g.stroke();
  // Scaled to the peak so quiet recordings stay visible (the label says so).
  let peak = 0;
  for (let i = 0; i < signal.length; i++) peak = Math.max(peak, Math.abs(signal[i]));
  const gain = peak > 0 ? mid / peak : 0;
  g.fillStyle = WAVE_COLOR;
  const perPx = signal.length / width;
  for (let x = 0; x < width; x++) {
    const from = Math.floor(x * perPx);
    const to = Math.max(from + 1, Math.floor((x + 1) * perPx));
    let lo = 0;
    let hi = 0;
    for (let i = from; i < to && i < signal.length; i++) {
      if (signal[i] < lo) lo = signal[i];
      if (signal[i] > hi) hi = signal[i];
    }
    g.fillRect(x, mid - hi * gain, 1, Math.max(1, (hi - lo) * gain));
  }
}
