import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.js';

/** Admin sessions. Only the SHA-256 of the token is stored; the token itself lives in the cookie. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: timestamp('created_at').notNull(),
    lastSeenAt: timestamp('last_seen_at').notNull(),
    /** Absolute expiry; the idle expiry is computed from `lastSeenAt`. */
    expiresAt: timestamp('expires_at').notNull(),
    clientIp: text('client_ip'),
  },
  (t) => [index('sessions_expires_at').on(t.expiresAt)],
);
