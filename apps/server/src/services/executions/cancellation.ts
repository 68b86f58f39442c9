/**
 * Why a run was stopped from outside, as stored in its `error` (a queued run gets
 * ` before it started` appended). One definition: the engine and the profile lifecycle write
 * these, the views read them back (`cancelled` in the admin API). A script cannot forge one: its
 * own failures are stored as a traceback, a limit's message or "script exited with status N".
 */
export const CANCELLED = {
  byAdmin: 'cancelled by the admin',
  keyRegenerated: 'cancelled: the profile key was regenerated',
  revoked: 'cancelled: the profile was revoked',
} as const;

export type CancelReason = (typeof CANCELLED)[keyof typeof CANCELLED];

const REASONS: readonly string[] = Object.values(CANCELLED);

/** Whether a stored error says the run was cancelled from outside. */
export function isCancellation(error: string | null): boolean {
  return error !== null && REASONS.some((r) => error.startsWith(r));
}
