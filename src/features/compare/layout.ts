/**
 * The fixed output layout of `compare-ts`: its 65 LLDs (names as in the ComParE configuration,
 * with units and definitions), the sections of the output vector and the 6373 feature names.
 *
 * Output order (the order of the ComParE configuration's functional sections):
 * 1. energy LLDs (4), then their deltas (4): `contour` functionals (31 each);
 * 2. spectral LLDs (55), then their deltas (55): `contour` functionals;
 * 3. voicing LLDs (6), then their deltas (6): `voiced` functionals (39 each);
 * 4. `F0final_sma_ff0`: voiced fraction and voiced segment lengths (5);
 * 5. energy then spectral LLDs (59): `lld` functionals (23 each);
 * 6. deltas of the energy then spectral LLDs (59): `delta` functionals (15 each).
 * A feature is named `<contour>_<functional>`, e.g. `mfcc_sma[3]_quartile1`, `pcm_zcr_sma_de_risetime`.
 */
import { groupSize, GROUP_BLOCKS, type GroupName } from './blocks.js';
import { ENERGY_BANDS_HZ, MFCC_FIRST, MFCC_LAST, MEL_BANDS, ROLL_OFF_FRACTIONS } from './constants.js';

/** One low-level descriptor. */
export interface LldInfo {
  /** Name without the `_sma` suffix, e.g. `pcm_zcr`, `mfcc`. */
  base: string;
  /** Element index of array-valued LLDs (`audSpec_Rfilt[i]`, `mfcc[i]`). */
  index?: number;
  group: 'energy' | 'spectral' | 'voicing';
  /** Unit of the LLD ("1" for dimensionless). */
  unit: string;
  /** What the LLD is. */
  definition: string;
}

const energy: LldInfo[] = [
  {
    base: 'audspec_lengthL1norm',
    group: 'energy',
    unit: '1',
    definition: 'Loudness: sum over the 26 bands of the auditory spectrum (equal-loudness weighted mel band powers ^0.33).',
  },
  {
    base: 'audspecRasta_lengthL1norm',
    group: 'energy',
    unit: '1',
    definition: 'Sum over the 26 bands of the RASTA-filtered auditory spectrum.',
  },
  {
    base: 'pcm_RMSenergy',
    group: 'energy',
    unit: '1',
    definition: 'RMS energy √(mean x²) over 20 ms (full scale: a sine of amplitude A gives A/√2).',
  },
  {
    base: 'pcm_zcr',
    group: 'energy',
    unit: '1/sample',
    definition: 'Zero-crossing rate over 60 ms (sign changes per sample; a sine of f Hz gives 2f/fs).',
  },
];

const spectral: LldInfo[] = [
  ...Array.from(
    { length: MEL_BANDS },
    (_, b): LldInfo => ({
      base: 'audSpec_Rfilt',
      index: b,
      group: 'spectral',
      unit: '1',
      definition: `RASTA-filtered auditory spectrum, mel band ${b + 1} of ${MEL_BANDS} (20–8000 Hz).`,
    }),
  ),
  ...ENERGY_BANDS_HZ.map(
    ([lo, hi]): LldInfo => ({
      base: `pcm_fftMag_fband${lo}-${hi}`,
      group: 'spectral',
      unit: '1',
      definition: `Power in ${lo}–${hi} Hz (mean square, full scale).`,
    }),
  ),
  ...ROLL_OFF_FRACTIONS.map(
    (x): LldInfo => ({
      base: `pcm_fftMag_spectralRollOff${(100 * x).toFixed(1)}`,
      group: 'spectral',
      unit: 'Hz',
      definition: `Frequency below which ${100 * x} % of the spectral power lies.`,
    }),
  ),
  { base: 'pcm_fftMag_spectralFlux', group: 'spectral', unit: '1', definition: 'RMS difference of consecutive magnitude spectra.' },
  { base: 'pcm_fftMag_spectralCentroid', group: 'spectral', unit: 'Hz', definition: 'Power-weighted mean frequency.' },
  {
    base: 'pcm_fftMag_spectralEntropy',
    group: 'spectral',
    unit: '1',
    definition: 'Entropy of the normalised power spectrum over log₂ of the bin count (0 … 1).',
  },
  { base: 'pcm_fftMag_spectralVariance', group: 'spectral', unit: 'Hz²', definition: 'Power-weighted variance of frequency.' },
  { base: 'pcm_fftMag_spectralSkewness', group: 'spectral', unit: '1', definition: 'Power-weighted skewness of frequency.' },
  { base: 'pcm_fftMag_spectralKurtosis', group: 'spectral', unit: '1', definition: 'Power-weighted kurtosis of frequency.' },
  {
    base: 'pcm_fftMag_spectralSlope',
    group: 'spectral',
    unit: 'dB/kHz',
    definition: 'Least-squares slope of the dB power spectrum against frequency.',
  },
  {
    base: 'pcm_fftMag_psySharpness',
    group: 'spectral',
    unit: 'acum',
    definition: 'Psychoacoustic sharpness: 0.11 × power-weighted mean of z·g(z), z in Bark.',
  },
  {
    base: 'pcm_fftMag_spectralHarmonicity',
    group: 'spectral',
    unit: 'dB',
    definition: 'Mean level step between consecutive local extrema of the dB spectrum.',
  },
  ...Array.from(
    { length: MFCC_LAST - MFCC_FIRST + 1 },
    (_, i): LldInfo => ({
      base: 'mfcc',
      index: MFCC_FIRST + i,
      group: 'spectral',
      unit: '1',
      definition: `MFCC ${MFCC_FIRST + i} (orthonormal DCT-II of ln mel powers, lifter 22).`,
    }),
  ),
];

const voicing: LldInfo[] = [
  { base: 'F0final', group: 'voicing', unit: 'Hz', definition: 'F0 (YIN), voiced frames.' },
  { base: 'voicingFinalUnclipped', group: 'voicing', unit: '1', definition: 'Voicing probability 1 − d′(τ) of YIN, non-silent frames.' },
  {
    base: 'jitterLocal',
    group: 'voicing',
    unit: '1',
    definition: 'Local jitter: mean |ΔT| / mean T of consecutive glottal periods (fraction).',
  },
  { base: 'jitterDDP', group: 'voicing', unit: '1', definition: 'Jitter DDP: mean |T_{i+1} − 2T_i + T_{i−1}| / mean T (fraction).' },
  {
    base: 'shimmerLocal',
    group: 'voicing',
    unit: '1',
    definition: 'Local shimmer: mean |ΔA| / mean A of consecutive period amplitudes (fraction).',
  },
  {
    base: 'logHNR',
    group: 'voicing',
    unit: 'dB',
    definition: 'Harmonics-to-noise ratio 10·log10(ρ/(1 − ρ)), ρ = normalised autocorrelation at the period.',
  },
];

/** The 65 LLDs in computation order: energy (4), spectral (55), voicing (6). */
export const COMPARE_LLDS: readonly LldInfo[] = Object.freeze([...energy, ...spectral, ...voicing]);

/** Contour name of LLD `l` (smoothed; `delta` for its delta), e.g. `mfcc_sma_de[3]`. */
function contourName(l: LldInfo, delta: boolean): string {
  return `${l.base}_sma${delta ? '_de' : ''}${l.index === undefined ? '' : `[${l.index}]`}`;
}

/** One section of the output: the functionals of `group` on consecutive contours. */
export interface Section {
  group: GroupName | 'f0';
  /** Indices into {@link COMPARE_LLDS} (empty for the `f0` section). */
  llds: number[];
  delta: boolean;
}

const indicesOf = (g: LldInfo['group']) => COMPARE_LLDS.flatMap((l, i) => (l.group === g ? [i] : []));
const E = indicesOf('energy');
const S = indicesOf('spectral');
const V = indicesOf('voicing');

/** The output sections in order. */
export const SECTIONS: readonly Section[] = [
  { group: 'contour', llds: E, delta: false },
  { group: 'contour', llds: E, delta: true },
  { group: 'contour', llds: S, delta: false },
  { group: 'contour', llds: S, delta: true },
  { group: 'voiced', llds: V, delta: false },
  { group: 'voiced', llds: V, delta: true },
  { group: 'f0', llds: [], delta: false },
  { group: 'lld', llds: [...E, ...S], delta: false },
  { group: 'delta', llds: [...E, ...S], delta: true },
];

/** Outputs of the `f0` section. */
const F0_SECTION_NAMES: readonly string[] = ['nnz', 'meanSegLen', 'maxSegLen', 'minSegLen', 'segLenStddev'];
/** Contour name of the `f0` section. */
const F0_SECTION_CONTOUR = 'F0final_sma_ff0';

/** Outputs per contour of a section. */
export function sectionWidth(s: Section): number {
  return s.group === 'f0' ? F0_SECTION_NAMES.length : groupSize(s.group);
}

function buildNames(): string[] {
  const out: string[] = [];
  for (const s of SECTIONS) {
    if (s.group === 'f0') {
      for (const f of F0_SECTION_NAMES) out.push(`${F0_SECTION_CONTOUR}_${f}`);
      continue;
    }
    const fns = GROUP_BLOCKS[s.group].flatMap((b) => b.names);
    for (const i of s.llds) for (const f of fns) out.push(`${contourName(COMPARE_LLDS[i], s.delta)}_${f}`);
  }
  return out;
}

/** The feature names in output order. */
export const COMPARE_FEATURE_NAMES: readonly string[] = Object.freeze(buildNames());

const GROUP_TEXT: Record<Section['group'], string> = {
  contour: 'contour',
  voiced: 'voiced (frames where the LLD is defined)',
  f0: 'voiced fraction and voiced segments',
  lld: 'lld',
  delta: 'delta',
};

const esc = (t: string) => t.replace(/\|/g, '\\|');

/**
 * Markdown table of the output layout (one row per contour: index range, contour, functional
 * group, LLD unit); docs/compare-ts.md embeds exactly this text (a test checks it).
 */
export function renderLayoutTable(): string {
  const rows = ['| # | contour | functionals | LLD unit |', '|---|---|---|---|'];
  let at = 0;
  for (const s of SECTIONS) {
    const w = sectionWidth(s);
    if (s.group === 'f0') {
      rows.push(`| ${at}–${at + w - 1} | \`${F0_SECTION_CONTOUR}\` | ${GROUP_TEXT.f0} | fraction; s |`);
      at += w;
      continue;
    }
    for (const i of s.llds) {
      const l = COMPARE_LLDS[i];
      rows.push(
        `| ${at}–${at + w - 1} | \`${contourName(l, s.delta)}\` | ${GROUP_TEXT[s.group]} | ${esc(s.delta ? `${l.unit} per frame` : l.unit)} |`,
      );
      at += w;
    }
  }
  return rows.join('\n');
}

/** Markdown table of the functionals of every group (name, unit for an LLD of unit u, definition). */
export function renderFunctionalTable(): string {
  const rows = ['| group | functional | unit | definition |', '|---|---|---|---|'];
  for (const g of Object.keys(GROUP_BLOCKS) as GroupName[]) {
    for (const b of GROUP_BLOCKS[g]) {
      const units = b.units('u');
      b.names.forEach((n, i) => rows.push(`| ${g} | \`${n}\` | ${esc(units[i])} | ${esc(b.definitions[i])} |`));
    }
  }
  return rows.join('\n');
}

/** Markdown table of the LLDs (name, group, unit, definition). */
export function renderLldTable(): string {
  const rows = ['| LLD | group | unit | definition |', '|---|---|---|---|'];
  for (const l of COMPARE_LLDS) rows.push(`| \`${contourName(l, false)}\` | ${l.group} | ${esc(l.unit)} | ${esc(l.definition)} |`);
  return rows.join('\n');
}
