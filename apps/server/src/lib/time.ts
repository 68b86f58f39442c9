/** Source of "now" for every service; tests inject a controllable one. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** UTC ISO-8601 with a zone and whole seconds, e.g. `2026-11-28T12:00:00Z` (contract format). */
export function isoUtc(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function isoOrNull(date: Date | null | undefined): string | null {
  return date ? isoUtc(date) : null;
}

const NAIVE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?$/;
const ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Parses an ISO-8601 timestamp from a client. A timestamp without a zone is read as UTC (the
 * earlier implementation crashed on those). Returns null for anything else.
 *
 * @example
 * parseClientTimestamp('2026-12-01T00:00:00')   // 2026-12-01T00:00:00Z
 * parseClientTimestamp('2026-12-01T01:00+01:00') // 2026-12-01T00:00:00Z
 */
export function parseClientTimestamp(input: string): Date | null {
  const s = input.trim();
  let normalised: string;
  if (NAIVE.test(s)) {
    normalised = s.length === 10 ? `${s}T00:00:00Z` : `${s.replace(' ', 'T')}Z`;
  } else if (ZONED.test(s)) {
    normalised = s.replace(' ', 'T');
  } else {
    return null;
  }
  const ms = Date.parse(normalised);
  if (!Number.isFinite(ms)) return null;
  // Reject calendar overflow such as 2026-02-31, which Date.parse would roll into March.
  const [y, m, d] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
  if (d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return null;
  return new Date(ms);
}
