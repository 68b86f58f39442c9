import { actorTypes } from '@airlock/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../deps.js';
import { AppError } from '../../errors.js';
import type { AdminEnv } from '../../http/admin-auth.js';
import { validationHook } from '../../http/validation.js';
import { isoUtc } from '../../lib/time.js';
import { auditCsv } from '../../services/audit/csv.js';
import {
  auditActionKinds,
  auditRefTypes,
  describeAudit,
  lookUpNames,
  parseDetail,
} from '../../services/audit/describe.js';
import {
  ACTION_FILTER,
  type AuditFilter,
  auditTargetTypes,
  listAudit,
} from '../../services/audit/list.js';
import { ClientTimestamp, errorResponses, json } from '../schemas.js';

const AuditPart = z
  .object({
    text: z.string(),
    ref: z
      .object({ type: z.enum(auditRefTypes), id: z.string() })
      .nullable()
      .openapi({ description: 'The object this piece names, when it still exists' }),
  })
  .openapi('AuditPart');

const AuditEntry = z
  .object({
    id: z.number(),
    at: z.string(),
    actor_type: z.enum(actorTypes),
    actor_id: z.string().nullable(),
    client_ip: z.string().nullable(),
    action: z.string(),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
    sentence: z.array(AuditPart).openapi({
      description:
        'The record in plain words, in pieces: their texts joined read as one sentence, with the current names of what it is about ("(deleted)" when gone)',
    }),
  })
  .openapi('AuditEntry');

const AuditActionKind = z
  .object({ action: z.string(), label: z.string(), group: z.string() })
  .openapi('AuditActionKind');

const filters = {
  action: z
    .string()
    .max(64)
    .regex(ACTION_FILTER, 'Expected an action (profile.lock) or a group of them (profile.*)')
    .optional(),
  actor_type: z.enum(actorTypes).optional(),
  target_type: z.enum(auditTargetTypes).optional(),
  since: ClientTimestamp.optional(),
  until: ClientTimestamp.optional(),
};

const list = createRoute({
  method: 'get',
  path: '/audit',
  tags: ['admin'],
  summary: 'The audit log, newest first, with filters (never values)',
  request: {
    query: z.object({
      ...filters,
      limit: z.coerce.number().int().min(1).max(500).default(100),
      offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
    }),
  },
  responses: {
    200: json(
      z.object({
        entries: z.array(AuditEntry),
        total: z.number().openapi({ description: 'Entries matching the filters' }),
        actions: z
          .array(AuditActionKind)
          .openapi({ description: 'Every action the server records, for the action filter' }),
      }),
      'Audit entries',
    ),
    ...errorResponses(401, 422),
  },
});

const csv = createRoute({
  method: 'get',
  path: '/audit/export.csv',
  tags: ['admin'],
  summary: 'The filtered audit log as CSV (a download), newest first',
  request: { query: z.object(filters) },
  responses: {
    200: {
      description:
        'CSV with a header row: at, summary (the sentence), action, actor_type, actor_id, client_ip, target_type, target_id, detail (JSON). Cells a spreadsheet would run as formulas start with an apostrophe.',
      content: { 'text/csv': { schema: z.string() } },
    },
    ...errorResponses(401, 422),
  },
});

/** The query's filters, checked together (a range that ends before it starts is a 422). */
function toFilter(q: {
  action?: string | undefined;
  actor_type?: AuditFilter['actorType'];
  target_type?: AuditFilter['targetType'];
  since?: Date | undefined;
  until?: Date | undefined;
}): AuditFilter {
  if (q.since && q.until && q.since > q.until)
    throw new AppError('VALIDATION', [
      {
        type: 'value_error',
        loc: ['query', 'until'],
        msg: 'until must not be before since',
        input: isoUtc(q.until),
      },
    ]);
  return {
    action: q.action,
    actorType: q.actor_type,
    targetType: q.target_type,
    since: q.since,
    until: q.until,
  };
}

export function adminAuditRoutes(deps: AppDeps) {
  return new OpenAPIHono<AdminEnv>({ defaultHook: validationHook })
    .openapi(list, (c) => {
      const q = c.req.valid('query');
      const { rows, total } = listAudit(deps.db, toFilter(q), q);
      const names = lookUpNames(deps.db, rows);
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
            detail: parseDetail(r),
            sentence: describeAudit(names, r),
          })),
          total,
          actions: auditActionKinds(),
        },
        200,
      );
    })
    .openapi(csv, (c) => {
      const filter = toFilter(c.req.valid('query'));
      const stamp = isoUtc(deps.clock()).slice(0, 10);
      return c.body(auditCsv(deps.db, filter), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="airlock-audit-${stamp}.csv"`,
        'Cache-Control': 'no-store',
      });
    });
}
