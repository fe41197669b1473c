/**
 * The trust-profile scores of an exported model from its sidecar's trust summary. The sidecar
 * keeps only the audit's headline numbers (not the full trust.json), so the report's
 * `trustScores` cannot take it directly; this applies the same normalizations (see
 * src/report/radar.ts) to those numbers. Pure: the web app bundles it.
 */
import { formatFixed, formatPercent, formatSiUnit } from '../report/pure.js';
import { MACS_LOG10_BEST, MACS_LOG10_WORST, type TrustScores } from '../report/pure.js';
import type { TrustSummary } from '../runtime/pure.js';

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** Radar scores in [0, 1] (1 = best) of a trust summary; null where the audit did not measure. */
export function summaryTrustScores(t: TrustSummary): TrustScores {
  const gaps = Object.values(t.fairness).map((f) => f.statisticalParity);
  const attacks = t.attackSuccess.map((a) => a.successRate);
  const macs = t.macsPerSecond;
  const p = t.privacy;
  return {
    accuracy: t.ua,
    fairness: gaps.length ? clamp01(1 - Math.max(...gaps)) : null,
    safety: attacks.length ? clamp01(1 - Math.max(...attacks)) : null,
    privacy: p ? (p.majority >= 1 ? 1 : clamp01((1 - p.genderProbeAccuracy) / (1 - p.majority))) : null,
    efficiency:
      macs === null ? null : macs <= 0 ? 1 : clamp01(1 - (Math.log10(macs) - MACS_LOG10_BEST) / (MACS_LOG10_WORST - MACS_LOG10_BEST)),
  };
}

/** The measured value behind each score, as short text for the radar's tooltips. */
export function summaryTrustSources(t: TrustSummary): Record<keyof TrustScores, string | null> {
  const worstGap = Object.entries(t.fairness).reduce<[string, number] | null>(
    (w, [a, f]) => (!w || f.statisticalParity > w[1] ? [a, f.statisticalParity] : w),
    null,
  );
  const worstAttack = t.attackSuccess.reduce<TrustSummary['attackSuccess'][number] | null>(
    (w, a) => (!w || a.successRate > w.successRate ? a : w),
    null,
  );
  return {
    accuracy: t.ua === null ? null : `UA ${formatPercent(t.ua)}`,
    fairness: worstGap ? `SP ${formatFixed(worstGap[1])}, ${worstGap[0]}` : null,
    safety: worstAttack ? `${worstAttack.method.toUpperCase()} ${worstAttack.snrDb} dB: ${formatPercent(worstAttack.successRate)}` : null,
    privacy: t.privacy ? `${formatPercent(t.privacy.genderProbeAccuracy)} vs majority ${formatPercent(t.privacy.majority)}` : null,
    efficiency: t.macsPerSecond === null ? null : formatSiUnit(t.macsPerSecond, 'MAC/s'),
  };
}
