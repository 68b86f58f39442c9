import type { AirlockDb } from '@airlock/db';
import { credentials, profiles } from '@airlock/db';
import { createRedactor, type Redactor, type UnprintableRanges } from '@airlock/redactor';
import type { Keyring } from '@airlock/vault';
import { count, max, sql } from 'drizzle-orm';
import { allSecrets } from './secrets.js';

interface Deps {
  db: AirlockDb;
  keyring: Keyring;
}

/**
 * The redactor over every stored secret, rebuilt only when the stored secrets change. The
 * fingerprint (row counts, newest update, total sealed bytes of both tables) changes with every
 * write that can add, rotate or remove a secret, so a stale redactor is never used.
 */
export class RedactorCache {
  #fingerprint = '';
  #redactor: Redactor | undefined;

  /** @param pythonUnprintable what the script interpreter's `repr` escapes (python-unicode.ts) */
  constructor(private readonly pythonUnprintable: UnprintableRanges) {}

  get(deps: Deps): Redactor {
    const fp = fingerprint(deps);
    if (this.#redactor === undefined || fp !== this.#fingerprint) {
      this.#redactor = createRedactor(allSecrets(deps), {
        pythonUnprintable: this.pythonUnprintable,
      });
      this.#fingerprint = fp;
    }
    return this.#redactor;
  }
}

function fingerprint(deps: Deps): string {
  const c = deps.db
    .select({
      n: count(),
      at: max(credentials.updatedAt),
      bytes: sql<number>`total(length(${credentials.value}))`,
    })
    .from(credentials)
    .get();
  const p = deps.db
    .select({
      n: count(),
      at: max(profiles.updatedAt),
      bytes: sql<number>`total(length(${profiles.secret}))`,
    })
    .from(profiles)
    .get();
  return JSON.stringify([c?.n, c?.at, c?.bytes, p?.n, p?.at, p?.bytes]);
}
