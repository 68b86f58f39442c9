/**
 * Failed-login throttling per client address, checked *before* the password is hashed so a
 * brute force costs the server nothing: after `maxFailures` failures within `windowMs`, further
 * attempts are refused until the window has passed since the oldest counted failure.
 */
export interface LoginLimiter {
  /** Seconds to wait before trying again, or 0 when an attempt is allowed now. */
  retryAfter(client: string, nowMs: number): number;
  recordFailure(client: string, nowMs: number): void;
  reset(client: string): void;
}

export function createLoginLimiter(
  options: { maxFailures?: number; windowMs?: number } = {},
): LoginLimiter {
  const maxFailures = options.maxFailures ?? 5;
  const windowMs = options.windowMs ?? 5 * 60_000;
  const failures = new Map<string, number[]>();
  const MAX_CLIENTS = 10_000;

  const recent = (client: string, nowMs: number): number[] => {
    const kept = (failures.get(client) ?? []).filter((t) => nowMs - t < windowMs);
    if (kept.length === 0) failures.delete(client);
    else failures.set(client, kept);
    return kept;
  };

  return {
    retryAfter(client, nowMs) {
      const kept = recent(client, nowMs);
      if (kept.length < maxFailures) return 0;
      const oldest = kept[kept.length - maxFailures] as number;
      return Math.max(1, Math.ceil((oldest + windowMs - nowMs) / 1000));
    },
    recordFailure(client, nowMs) {
      if (!failures.has(client) && failures.size >= MAX_CLIENTS) {
        // Bounded memory: forget the oldest-inserted client rather than grow without limit.
        const first = failures.keys().next().value;
        if (first !== undefined) failures.delete(first);
      }
      const kept = recent(client, nowMs);
      kept.push(nowMs);
      failures.set(client, kept.slice(-maxFailures));
    },
    reset(client) {
      failures.delete(client);
    },
  };
}
