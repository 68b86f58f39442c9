import { auditLog } from '@airlock/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { count, desc } from 'drizzle-orm';
import type { AppDeps } from '../../deps.js';
import type { AdminEnv } from '../../http/admin-auth.js';
import { validationHook } from '../../http/validation.js';
import { isoUtc } from '../../lib/time.js';
import { errorResponses, json } from '../schemas.js';

const AuditEntry = z
  .object({
    id: z.number(),
    at: z.string(),
    actor_type: z.string(),
    actor_id: z.string().nullable(),
    client_ip: z.string().nullable(),
    action: z.string(),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('AuditEntry');

const list = createRoute({
  method: 'get',
  path: '/audit',
  tags: ['admin'],
  summary: 'The audit log, newest first (never values)',
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).default(100),
      offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
    }),
  },
  responses: {
    200: json(z.object({ entries: z.array(AuditEntry), total: z.number() }), 'Audit entries'),
    ...errorResponses(401, 422),
  },
});

export function adminAuditRoutes(deps: AppDeps) {
  return new OpenAPIHono<AdminEnv>({ defaultHook: validationHook }).openapi(list, (c) => {
    const { limit, offset } = c.req.valid('query');
    const rows = deps.db
      .select()
      .from(auditLog)
      .orderBy(desc(auditLog.id))
      .limit(limit)
      .offset(offset)
      .all();
    const total = deps.db.select({ n: count() }).from(auditLog).get()?.n ?? 0;
    return c.json(
      {
        entries: rows.map((r) => ({
          id: r.id,
          at: isoUtc(r.at),
          actor_type: r.actorType,
          actor_id: r.actorId,
          client_ip: r.clientIp,
          action: r.action,
          target_type: r.targetType,
          target_id: r.targetId,
          detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
        })),
        total,
      },
      200,
    );
  });
}
