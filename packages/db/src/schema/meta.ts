import { blob, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Instance facts: the vault canary blob, the instance id. */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: blob('value', { mode: 'buffer' }).notNull(),
});
