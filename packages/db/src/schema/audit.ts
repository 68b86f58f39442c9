import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.js';

export const actorTypes = ['admin', 'profile', 'agent', 'system'] as const;
export type ActorType = (typeof actorTypes)[number];

/** Who did what to which object, when. Never a credential value or key secret. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: timestamp('at').notNull(),
    actorType: text('actor_type', { enum: actorTypes }).notNull(),
    /** Session id for the admin, key id for a profile, null for an anonymous agent. */
    actorId: text('actor_id'),
    clientIp: text('client_ip'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    /** Small JSON object of non-secret facts (e.g. names attached). */
    detail: text('detail'),
  },
  (t) => [index('audit_log_at').on(t.at)],
);
