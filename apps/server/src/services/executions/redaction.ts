import type { AirlockDb } from '@airlock/db';
import { createRedactor, type Redactor, type UnprintableRanges } from '@airlock/redactor';
import type { Keyring } from '@airlock/vault';
import { sql } from 'drizzle-orm';
import { allSecrets } from './secrets.js';

interface Deps {
  db: AirlockDb;
  keyring: Keyring;
}

/**
 * The redactor over every stored secret, rebuilt only when the stored secrets change: the
 * `secrets_generation` counter (migration 0006) moves, by triggers, with every insert, delete
 * and value change of a credential or a profile secret, so a stale redactor is never used, and
 * knowing costs one single-row read (it runs for every log line and every run).
 */
export class RedactorCache {
  #generation = -1;
  #redactor: Redactor | undefined;

  /** @param pythonUnprintable what the script interpreter's `repr` escapes (python-unicode.ts) */
  constructor(private readonly pythonUnprintable: UnprintableRanges) {}

  get(deps: Deps): Redactor {
    const generation = secretsGeneration(deps.db);
    if (this.#redactor === undefined || generation !== this.#generation) {
      this.#redactor = createRedactor(allSecrets(deps), {
        pythonUnprintable: this.pythonUnprintable,
      });
      this.#generation = generation;
    }
    return this.#redactor;
  }
}

/** The counter of stored-secret changes (see the class comment). */
export function secretsGeneration(db: AirlockDb): number {
  const row = db.get<{ n: number } | undefined>(sql`SELECT n FROM secrets_generation WHERE id = 1`);
  if (row === undefined) throw new Error('secrets_generation row missing (migration 0006)');
  return row.n;
}
