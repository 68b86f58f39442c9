/**
 * The list of transient notices (see components/Notices.tsx), as pure functions so the rules
 * are tested apart from timers and rendering: successes and infos go away by themselves after
 * {@link NOTICE_TIMEOUT_MS}; errors stay until dismissed; the same notice twice is shown once;
 * at most {@link MAX_NOTICES} are shown, the oldest transient ones giving way first.
 */

export type NoticeTone = 'success' | 'info' | 'error';

export interface Notice {
  id: number;
  tone: NoticeTone;
  message: string;
  /** Bumped when the same notice is raised again, which restarts its timer. */
  raised: number;
}

export const NOTICE_TIMEOUT_MS = 6_000;
export const MAX_NOTICES = 4;

/** Errors wait for the reader; the others dismiss themselves. */
export function dismissesItself(tone: NoticeTone): boolean {
  return tone !== 'error';
}

export function addNotice(
  list: readonly Notice[],
  tone: NoticeTone,
  message: string,
  id: number,
): Notice[] {
  const same = list.find((n) => n.tone === tone && n.message === message);
  if (same) return list.map((n) => (n === same ? { ...n, raised: n.raised + 1 } : n));
  const next = [...list, { id, tone, message, raised: 0 }];
  while (next.length > MAX_NOTICES) {
    const oldestTransient = next.findIndex((n) => dismissesItself(n.tone));
    next.splice(oldestTransient === -1 ? 0 : oldestTransient, 1);
  }
  return next;
}

export function removeNotice(list: readonly Notice[], id: number): Notice[] {
  return list.filter((n) => n.id !== id);
}
