import { blob, index, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdBy, flag, timestamp } from './columns.js';
import { credentials } from './credentials.js';

/**
 * Profiles: a scoped set of credentials an agent may use with one key. The key secret must be
 * recoverable (the server recomputes HMACs), so it is a vault blob sealed with associated data
 * `airlock:v1:profiles:secret:<id>`, never a hash.
 */
export const profiles = sqliteTable('profiles', {
  id: text('id').primaryKey(),
  description: text('description').notNull().default(''),
  locked: flag('locked').notNull().default(false),
  keyId: text('key_id').unique(),
  secret: blob('secret', { mode: 'buffer' }),
  requireSignatureV2: flag('require_signature_v2').notNull().default(false),
  expiresAt: timestamp('expires_at'),
  revoked: flag('revoked').notNull().default(false),
  /**
   * The network policy, JSON `{"mode": "none" | "allowlist" | "open", "allow": [entry]}`
   * (validated by @airlock/egress before it is written; frozen once the profile is locked).
   */
  network: text('network').notNull().default('{"mode":"none","allow":[]}'),
  lockedAt: timestamp('locked_at'),
  revokedAt: timestamp('revoked_at'),
  createdBy: createdBy(),
  createdAt: timestamp('created_at').notNull(),
  updatedAt: timestamp('updated_at').notNull(),
});

/** Which credentials a profile reaches. */
export const profileCredentials = sqliteTable(
  'profile_credentials',
  {
    profileId: text('profile_id')
      .notNull()
      .references(() => profiles.id, { onDelete: 'cascade' }),
    credentialId: text('credential_id')
      .notNull()
      .references(() => credentials.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.profileId, t.credentialId] }),
    index('profile_credentials_credential').on(t.credentialId),
  ],
);
