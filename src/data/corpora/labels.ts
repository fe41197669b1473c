/**
 * Label maps: from a corpus' raw categorical labels to the classes a model learns.
 * Every adapter's maps target the shared class names in {@link EMOTION_CLASSES}, so models
 * trained on one corpus can be evaluated on another.
 */
import type { CorpusAdapter, LabelMap, Utterance } from './types.js';

/** Shared emotion class names used by the label maps (RAVDESS' vocabulary, extended). */
export const EMOTION_CLASSES = {
  neutral: 'neutral',
  calm: 'calm',
  happy: 'happy',
  sad: 'sad',
  angry: 'angry',
  fearful: 'fearful',
  disgust: 'disgust',
  surprised: 'surprised',
  bored: 'bored',
  contempt: 'contempt',
  excited: 'excited',
  frustrated: 'frustrated',
  other: 'other',
} as const;

/** The usual four-class SER setting, in label-index order. */
export const FOUR_CLASSES = ['neutral', 'happy', 'sad', 'angry'];

/** Name of the label map built from the labels present ({@link identityLabelMap}). */
export const IDENTITY_LABEL_MAP = 'identity';

/** Result of {@link applyLabelMap}. */
export interface MappedUtterances {
  /** Utterances kept, with the label field replaced by its class (copies; the input is untouched). */
  utterances: Utterance[];
  /** The map's classes, in label-index order. */
  classes: string[];
  /** How many utterances were dropped (unmapped, mapped to null, or without the label). */
  dropped: number;
}

/**
 * Checks a label map: classes unique and non-empty, every mapped value one of the classes.
 * @throws Error naming the map and the offending entry.
 */
export function validateLabelMap(map: LabelMap): void {
  const classes = new Set(map.classes);
  if (classes.size !== map.classes.length)
    throw new Error(`label map '${map.name}': duplicate class names in ${JSON.stringify(map.classes)}`);
  if (map.classes.some((c) => c === '')) throw new Error(`label map '${map.name}': empty class name`);
  for (const [raw, cls] of Object.entries(map.map)) {
    if (cls !== null && !classes.has(cls))
      throw new Error(`label map '${map.name}': '${raw}' maps to '${cls}', which is not one of its classes ${JSON.stringify(map.classes)}`);
  }
}

/**
 * Maps each utterance's raw label (`labels.emotion`, or `map.field`) to its class and drops
 * the utterances whose label is missing, unmapped or mapped to `null`.
 * Returned utterances are shallow copies with fresh `labels`; the input array is not modified.
 * The raw value is kept in `labels.<field>Raw` (e.g. `emotionRaw`).
 */
export function applyLabelMap(utts: readonly Utterance[], map: LabelMap): MappedUtterances {
  validateLabelMap(map);
  const field = map.field ?? 'emotion';
  const out: Utterance[] = [];
  for (const u of utts) {
    const raw = u.labels[field];
    if (raw === undefined) continue;
    const cls = Object.hasOwn(map.map, String(raw)) ? map.map[String(raw)] : null;
    if (cls === null) continue;
    out.push({ ...u, labels: { ...u.labels, [field]: cls, [`${field}Raw`]: raw } });
  }
  return { utterances: out, classes: [...map.classes], dropped: utts.length - out.length };
}

/**
 * A map that keeps every raw label present as its own class (classes sorted).
 * @throws Error when no utterance has the label.
 */
export function identityLabelMap(utts: readonly Utterance[], field = 'emotion'): LabelMap {
  const values = [
    ...new Set(
      utts
        .map((u) => u.labels[field])
        .filter((v) => v !== undefined)
        .map(String),
    ),
  ].sort();
  if (values.length === 0) throw new Error(`no utterance has a '${field}' label, so there is nothing to classify`);
  return { name: IDENTITY_LABEL_MAP, classes: values, map: Object.fromEntries(values.map((v) => [v, v])), field };
}

/**
 * Picks a label map of an adapter by name: the adapter's default when `name` is undefined,
 * and {@link identityLabelMap} for `'identity'` or when the adapter has no maps.
 * @throws Error listing the available maps for an unknown name.
 */
export function resolveLabelMap(adapter: CorpusAdapter, name: string | undefined, utts: readonly Utterance[]): LabelMap {
  const chosen = name ?? adapter.defaultLabelMap;
  if (chosen === IDENTITY_LABEL_MAP || chosen === '') return identityLabelMap(utts);
  const map = adapter.labelMaps[chosen];
  if (!map) {
    const names = [...Object.keys(adapter.labelMaps), IDENTITY_LABEL_MAP].map((n) => `'${n}'`).join(', ');
    throw new Error(`${adapter.name}: no label map '${chosen}' (available: ${names})`);
  }
  return map;
}

/** Builds a {@link LabelMap} from raw → class pairs, with classes in the given order. */
export function makeLabelMap(name: string, classes: string[], map: Record<string, string | null>, field?: string): LabelMap {
  const m: LabelMap = field === undefined ? { name, classes, map } : { name, classes, map, field };
  validateLabelMap(m);
  return m;
}

/** Counts utterances per value of a label (for summaries and tests). */
export function countLabels(utts: readonly Utterance[], field = 'emotion'): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const u of utts) {
    const v = u.labels[field];
    if (v === undefined) continue;
    counts[String(v)] = (counts[String(v)] ?? 0) + 1;
  }
  return counts;
}
