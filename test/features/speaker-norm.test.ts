// Warnings about a corpus on which speaker normalization would remove the emotion itself (a
// speaker with one label) or could not fit a speaker's statistics (too few utterances).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIN_SPEAKER_UTTERANCES, speakerNormWarnings } from '../../src/features/pure.js';

const utts = (speaker: string, ...labels: string[]) => labels.map((label) => ({ speaker, label }));

test('a balanced corpus gives no warnings', () => {
  assert.deepEqual(speakerNormWarnings([...utts('a', 'happy', 'sad', 'happy', 'sad'), ...utts('b', 'sad', 'angry', 'sad', 'happy')]), []);
  assert.deepEqual(speakerNormWarnings([]), []);
});

test('a speaker whose utterances carry a single label is named with the label and the count', () => {
  const w = speakerNormWarnings([
    ...utts('ravdess:01', 'happy', 'sad', 'happy', 'sad'),
    ...utts('ravdess:02', 'angry', 'angry', 'angry', 'angry', 'angry'),
    ...utts('tess:OAF', 'sad', 'sad', 'sad', 'sad'),
  ]);
  assert.deepEqual(w, [
    "speaker 'ravdess:02': all 5 utterance(s) are labelled 'angry', so speaker normalization removes the emotion itself (the speaker's mean is the 'angry' mean)",
    "speaker 'tess:OAF': all 4 utterance(s) are labelled 'sad', so speaker normalization removes the emotion itself (the speaker's mean is the 'sad' mean)",
  ]);
});

test('one warning names every speaker below the minimum, with their counts', () => {
  const few = Array.from({ length: MIN_SPEAKER_UTTERANCES - 1 }, (_, i) => (i % 2 ? 'happy' : 'sad'));
  const w = speakerNormWarnings([...utts('s1', ...few), ...utts('ok', 'happy', 'sad', 'happy', 'sad'), ...utts('s3', 'angry', 'sad')]);
  assert.deepEqual(w, [
    `speaker normalization needs at least ${MIN_SPEAKER_UTTERANCES} utterances per speaker; too few for: 's1' (${MIN_SPEAKER_UTTERANCES - 1}), 's3' (2)`,
  ]);
  // A lone utterance is both: one label and too few.
  const lone = speakerNormWarnings(utts('lonely', 'neutral'));
  assert.equal(lone.length, 2);
  assert.match(lone[0], /speaker 'lonely': all 1 utterance\(s\) are labelled 'neutral'/);
  assert.match(lone[1], /too few for: 'lonely' \(1\)/);
});
