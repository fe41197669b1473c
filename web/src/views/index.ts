/** What the page draws: result charts (src/report's SVG code) and the waveform canvas. */
export { emotionBars, emotionTimeline, trustRadar } from './charts.js';
export { drawWaveform } from './waveform.js';
