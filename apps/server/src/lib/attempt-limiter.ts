/**
 * Attempts per client address in a sliding window: password checks (counted *before* the
 * password is hashed, so concurrent guesses cannot all slip through while the first ones are
 * being checked, and a brute force costs the server nothing) and anonymous creation. After `max`
 * attempts within `windowMs` that did not succeed, further attempts are refused until the
 * window has passed since the oldest counted one. A success starts the count over.
 */
export interface AttemptLimiter {
  /** Counts an attempt now: 0 when it may proceed, else the seconds to wait (not counted). */
  attempt(client: string, nowMs: number): number;
  /** The attempt's password was right: the client's count starts over. */
  succeeded(client: string): void;
}

/** Password attempts: 5 in 5 minutes per client. */
export const LOGIN_ATTEMPTS = { max: 5, windowMs: 5 * 60_000 } as const;
/** Anonymous creation (slots, profiles, links): 60 requests in 10 minutes per client. */
export const ANONYMOUS_CREATIONS = { max: 60, windowMs: 10 * 60_000 } as const;

export function createAttemptLimiter(options: { max: number; windowMs: number }): AttemptLimiter {
  const maxFailures = options.max;
  const windowMs = options.windowMs;
  const failures = new Map<string, number[]>();
  const MAX_CLIENTS = 10_000;

  const recent = (client: string, nowMs: number): number[] => {
    const kept = (failures.get(client) ?? []).filter((t) => nowMs - t < windowMs);
    if (kept.length === 0) failures.delete(client);
    else failures.set(client, kept);
    return kept;
  };

  return {
    attempt(client, nowMs) {
      const kept = recent(client, nowMs);
      if (kept.length >= maxFailures) {
        const oldest = kept[kept.length - maxFailures] as number;
        return Math.max(1, Math.ceil((oldest + windowMs - nowMs) / 1000));
      }
      if (!failures.has(client) && failures.size >= MAX_CLIENTS) {
        // Bounded memory: forget the oldest-inserted client rather than grow without limit.
        const first = failures.keys().next().value;
        if (first !== undefined) failures.delete(first);
      }
      kept.push(nowMs);
      failures.set(client, kept.slice(-maxFailures));
      return 0;
    },
    succeeded(client) {
      failures.delete(client);
    },
  };
}
