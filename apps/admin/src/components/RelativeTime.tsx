import { useSyncExternalStore } from 'react';
import { exactTime, formatRelative } from '../lib/relative-time';

/*
 * One clock for every relative time on the page: a single 1 s interval runs while at least one
 * is shown, so a table of 50 rows re-renders once a second, not 50 timers.
 */
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;
let now = 0;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === undefined) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/**
 * Before the clock runs (the first render), the time to the second: stable across the repeated
 * reads of one render, as `useSyncExternalStore` requires.
 */
const snapshot = () => (timer === undefined ? Math.floor(Date.now() / 1000) * 1000 : now);

/** The current time in ms, updated every second while the component is mounted. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, snapshot);
}

/**
 * `12 s ago`, kept current; the exact local time (with seconds) is in the `title`, and the
 * instant in `dateTime`.
 */
export function RelativeTime({ iso }: { iso: string | null | undefined }) {
  const current = useNow();
  if (!iso) return <span>—</span>;
  return (
    <time dateTime={iso} title={exactTime(iso)}>
      {formatRelative(iso, current)}
    </time>
  );
}
