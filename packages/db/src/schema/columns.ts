import { integer } from 'drizzle-orm/sqlite-core';

/** A UTC instant stored as Unix milliseconds; read back as a `Date`. */
export const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' });

/** A boolean stored as 0/1. */
export const flag = (name: string) => integer(name, { mode: 'boolean' });
