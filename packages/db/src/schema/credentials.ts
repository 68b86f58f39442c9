import { blob, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdBy, timestamp } from './columns.js';

/**
 * Credential slots. `value` is a vault blob sealed with associated data
 * `airlock:v1:credentials:value:<id>`, or null while the person has not entered a value.
 */
export const credentials = sqliteTable('credentials', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  description: text('description').notNull().default(''),
  value: blob('value', { mode: 'buffer' }),
  /**
   * How the value reaches a script, as JSON: `{"mode":"inject"}` (in `settings`) or
   * `{"mode":"broker","hosts":[...]}` (a placeholder; the egress proxy puts the value into
   * requests to those hosts only).
   */
  delivery: text('delivery').notNull().default('{"mode":"inject"}'),
  valueUpdatedAt: timestamp('value_updated_at'),
  createdBy: createdBy(),
  createdAt: timestamp('created_at').notNull(),
  updatedAt: timestamp('updated_at').notNull(),
});
