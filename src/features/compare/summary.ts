/**
 * Evaluates the 6373 functionals of `compare-ts` on the smoothed contours and their deltas, in
 * the order of `SECTIONS` (layout.ts).
 *
 * Energy and spectral contours are summarised over every frame. Voicing contours are summarised
 * over the frames where they are defined, taken in time order and packed together (positions,
 * times and regressions refer to that packed sequence): F0, jitter, shimmer and HNR over voiced
 * frames, the voicing probability over non-silent frames. A functional over no values is 0, so
 * an utterance without voiced frames gives 0 for every voicing functional
 * (`F0final_sma_ff0_nnz` = 0 tells such cases apart).
 */
import { computeGroup } from './blocks.js';
import { voicedSegments } from './events.js';
import { COMPARE_FEATURE_NAMES, SECTIONS, sectionWidth } from './layout.js';
import type { Contours } from './lld.js';
import { summarize, type Summary } from './stats.js';

/**
 * Computes every functional. A non-finite result (which the definitions should never produce)
 * becomes 0, or throws when `strict` is set (tests use strict mode so that bugs are not masked).
 * @param c smoothed contours and deltas
 * @param frameStepS time between frames (s)
 */
export function evaluateFunctionals(c: Contours, frameStepS: number, strict = false): Float32Array {
  const out = new Float64Array(COMPARE_FEATURE_NAMES.length);
  const packed = new Float64Array(c.framing.frameCount);
  let summary: Summary | undefined;
  let o = 0;
  for (const s of SECTIONS) {
    if (s.group === 'f0') {
      voicedSegments(c.voiced, frameStepS, out, o);
      o += sectionWidth(s);
      continue;
    }
    for (const li of s.llds) {
      const v = (s.delta ? c.delta : c.smoothed)[li];
      let n = 0;
      if (s.group === 'voiced') {
        for (let t = 0; t < v.length; t++) if (Number.isFinite(v[t])) packed[n++] = v[t];
        summary = summarize(packed, n, frameStepS, summary);
      } else summary = summarize(v, v.length, frameStepS, summary);
      o = computeGroup(s.group, summary, out, o);
    }
  }
  if (o !== out.length) throw new Error(`compare-ts: computed ${o} values, expected ${out.length}`);
  const result = new Float32Array(out.length);
  for (let i = 0; i < out.length; i++) {
    const x = out[i];
    if (!Number.isFinite(x) || !Number.isFinite(Math.fround(x))) {
      if (strict) throw new Error(`compare-ts: feature ${COMPARE_FEATURE_NAMES[i]} is not finite (${x})`);
      result[i] = 0;
    } else result[i] = x;
  }
  return result;
}
