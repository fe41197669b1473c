/**
 * Utterance-level decisions for segment models (`alexnet`, `fcn-gap`): an utterance's spectrogram
 * is cut into fixed-length segments, each classified, and the utterance posterior is the mean of
 * its segments' posteriors.
 */
import { stack, type Tensor } from '../../engine/index.js';

/** What the rows of the segment scores hold ('auto': posteriors or log-probabilities, detected). */
export type SegmentScores = 'auto' | 'logits' | 'logProbs' | 'posteriors';
/** Tolerance on a row's total probability when detecting the score kind. */
const ROW_SUM_TOLERANCE = 1e-3;

/** Posteriors when every row lies in [0, 1] and sums to 1, log-probabilities when rows log-sum-exp to 0. */
function detectKind(scores: Tensor): 'logProbs' | 'posteriors' {
  const inUnit = scores.ge(0).all() && scores.le(1).all();
  if (inUnit && scores.sum(1).sub(1).abs().max().item() <= ROW_SUM_TOLERANCE) return 'posteriors';
  if (scores.logsumexp(1).abs().max().item() <= ROW_SUM_TOLERANCE) return 'logProbs';
  throw new Error("aggregateSegments: scores are neither posteriors nor log-probabilities; pass kind 'logits' for raw model outputs");
}

/**
 * Mean segment posterior per utterance: scores [S, C] for S segments ordered utterance by
 * utterance, `segmentsPerUtterance` [U] counts summing to S → posteriors [U, C]. Logits are
 * softmaxed and log-probabilities exponentiated before averaging; the default `kind` 'auto'
 * accepts posteriors or log-probabilities and rejects anything else (pass 'logits' for raw outputs).
 */
export function aggregateSegments(scores: Tensor, segmentsPerUtterance: readonly number[], kind: SegmentScores = 'auto'): Tensor {
  if (scores.ndim !== 2) throw new Error(`aggregateSegments: scores must be [S, C], got [${scores.shape.join(', ')}]`);
  const s = scores.shape[0];
  let total = 0;
  for (const c of segmentsPerUtterance) {
    if (!Number.isInteger(c) || c < 1) throw new Error(`aggregateSegments: every utterance needs ≥ 1 segment, got ${c}`);
    total += c;
  }
  if (segmentsPerUtterance.length === 0) throw new Error('aggregateSegments: no utterances');
  if (total !== s) throw new Error(`aggregateSegments: segment counts sum to ${total} but scores have ${s} rows`);
  if (kind === 'auto') kind = detectKind(scores);
  const post = kind === 'logits' ? scores.softmax(1) : kind === 'logProbs' ? scores.exp() : scores;
  let start = 0;
  const rows = segmentsPerUtterance.map((c) => {
    const m = post.narrow(0, start, c).mean(0);
    start += c;
    return m;
  });
  return stack(rows, 0);
}
