import { primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.js';

/** The scope of requirements installed for every profile (by the admin, or before scopes). */
export const SHARED_SCOPE = 'shared';

/**
 * Python packages installed through `POST /requirements`, reinstalled at startup if missing.
 * `scope` is the profile whose key asked (its scripts alone import them), or `shared`.
 */
export const requirements = sqliteTable(
  'requirements',
  {
    scope: text('scope').notNull().default(SHARED_SCOPE),
    /** The normalised project name (PEP 503), one row per project and scope. */
    name: text('name').notNull(),
    /** The requirement as it was asked for, e.g. `pandas==2.2.*`. */
    spec: text('spec').notNull(),
    installedVersion: text('installed_version'),
    installedAt: timestamp('installed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.name] })],
);
