import { integer, text } from 'drizzle-orm/sqlite-core';

/** A UTC instant stored as Unix milliseconds; read back as a `Date`. */
export const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' });

/** A boolean stored as 0/1. */
export const flag = (name: string) => integer(name, { mode: 'boolean' });

/** Who made a row: a person in the admin UI, or an agent through the open agent endpoints. */
export const creators = ['admin', 'agent'] as const;
export type Creator = (typeof creators)[number];

/** Who made the rows from before it was recorded (and those of older exports). */
export const EARLIER_CREATOR: Creator = 'admin';

/** Who made a credential slot or a profile. */
export const createdBy = () =>
  text('created_by', { enum: creators }).notNull().default(EARLIER_CREATOR);
