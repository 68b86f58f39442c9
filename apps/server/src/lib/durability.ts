import type { AirlockDb } from '@airlock/db';

/**
 * Runs a write that need not survive a power loss without waiting for the disk: the database
 * commits it (atomic, in order) but does not fsync the log for it (`synchronous = NORMAL` for
 * this write; the next ordinary commit syncs it along). Only for a state whose loss changes
 * nothing: a `running` mark lost that way leaves the row `pending`, which recovery after a
 * restart closes exactly as it closes a `running` one. Secrets, keys, nonces and outcomes keep
 * the full durability the database was opened with.
 */
export function withoutFsync<T>(db: AirlockDb, write: () => T): T {
  const client = db.$client;
  const before = client.pragma('synchronous', { simple: true }) as number;
  client.pragma('synchronous = NORMAL');
  try {
    return write();
  } finally {
    client.pragma(`synchronous = ${before}`);
  }
}
