import { join } from 'node:path';
import { claimFile } from '@airlock/sandbox';

/**
 * A running Airlock's claim on its data directory (`<private dir>/server.lock`): a second server
 * on the same directory refuses to start and touches nothing. Its host uids are claimed with the
 * sandbox's `claimUids`.
 */
export class InstanceLockError extends Error {
  override name = 'InstanceLockError';
}

/** Claims the data directory. Throws InstanceLockError when another live Airlock holds it. */
export function claimDataDir(privateDir: string): () => void {
  const claim = claimFile(join(privateDir, 'server.lock'));
  if ('heldBy' in claim) {
    throw new InstanceLockError(
      `another Airlock (pid ${claim.heldBy}) is using the data directory ${privateDir.replace(/\/private$/, '')}; stop it first, or give this one its own AIRLOCK_DATA_DIR`,
    );
  }
  return claim.release;
}
