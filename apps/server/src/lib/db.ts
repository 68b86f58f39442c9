import type { AirlockDb } from '@airlock/db';

/** A transaction handle inside `db.transaction((tx) => …)` (synchronous callbacks only). */
export type Tx = Parameters<Parameters<AirlockDb['transaction']>[0]>[0];

/** Either the database or a transaction: query helpers accept both. */
export type DbLike = AirlockDb | Tx;
