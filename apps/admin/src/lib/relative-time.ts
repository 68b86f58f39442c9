/**
 * How long ago an instant was, in words a person reads at a glance, down to the second for
 * recent ones: `just now`, `12 s ago`, `3 min 5 s ago`, `42 min ago`, `5 h 3 min ago`; a day or
 * more is the local date and time instead. A time ahead of `now` (a skewed clock) reads
 * `in 4 s`. Unreadable input comes back as it is.
 *
 * @example formatRelative('2026-11-28T12:00:00Z', Date.parse('2026-11-28T12:00:12Z')) // '12 s ago'
 */
export function formatRelative(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const seconds = Math.round((now - at) / 1000);
  if (seconds < 0) return `in ${spell(-seconds)}`;
  if (seconds < 1) return 'just now';
  if (seconds >= DAY_S) return exactTime(iso, { seconds: false });
  return `${spell(seconds)} ago`;
}

const HOUR_S = 3600;
const DAY_S = 24 * HOUR_S;

/** A span of whole seconds: the two largest units, seconds only under ten minutes. */
function spell(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 10 * 60) return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < HOUR_S) return `${Math.floor(s / 60)} min`;
  if (s < DAY_S) {
    const m = Math.floor((s % HOUR_S) / 60);
    return m === 0 ? `${Math.floor(s / HOUR_S)} h` : `${Math.floor(s / HOUR_S)} h ${m} min`;
  }
  return `${Math.floor(s / DAY_S)} d`;
}

/** The local date and time, with seconds unless told otherwise (for a title or tooltip). */
export function exactTime(iso: string, { seconds = true }: { seconds?: boolean } = {}): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
  });
}

/** The time between two instants (`end` defaults to `now`), in ms; null when unreadable. */
export function spanMs(startIso: string, endIso: string | null, now: number): number | null {
  const start = Date.parse(startIso);
  const end = endIso === null ? now : Date.parse(endIso);
  if (Number.isNaN(start) || Number.isNaN(end)) return null;
  return Math.max(0, end - start);
}
