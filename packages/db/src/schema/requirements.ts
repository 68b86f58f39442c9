import { sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.js';

/** Python packages installed through `POST /requirements`, reinstalled at startup if missing. */
export const requirements = sqliteTable('requirements', {
  /** The normalised project name (PEP 503), one row per project. */
  name: text('name').primaryKey(),
  /** The requirement as the agent asked for it, e.g. `pandas==2.2.*`. */
  spec: text('spec').notNull(),
  installedVersion: text('installed_version'),
  installedAt: timestamp('installed_at').notNull(),
});
