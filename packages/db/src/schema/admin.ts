import { sql } from 'drizzle-orm';
import { check, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.js';

/**
 * The single admin account. `id` is always 1 (checked), so claiming first-visit setup is one
 * `INSERT` that a second racing claim cannot also win.
 */
export const admin = sqliteTable(
  'admin',
  {
    id: integer('id').primaryKey(),
    /** Self-describing scrypt hash from @airlock/auth. */
    passwordHash: text('password_hash').notNull(),
    createdAt: timestamp('created_at').notNull(),
    passwordChangedAt: timestamp('password_changed_at').notNull(),
  },
  (t) => [check('admin_singleton', sql`${t.id} = 1`)],
);
