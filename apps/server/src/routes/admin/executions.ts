import { credentials, executionStatuses, executions, profiles } from '@airlock/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { count, gte, isNotNull } from 'drizzle-orm';
import type { AppDeps } from '../../deps.js';
import { AppError } from '../../errors.js';
import type { AdminEnv } from '../../http/admin-auth.js';
import { validationHook } from '../../http/validation.js';
import { exactJson } from '../../lib/exact-json.js';
import { recordAudit } from '../../services/audit/record.js';
import { listExecutions } from '../../services/executions/list.js';
import { exchangesOf, getExecution, TERMINAL } from '../../services/executions/queries.js';
import {
  adminDetailView,
  adminListItemView,
  FIRST_LINE_MAX,
} from '../../services/executions/views.js';
import { isExpired } from '../../services/profiles/queries.js';
import {
  AccountingSchema,
  ClientTimestamp,
  errorResponses,
  json,
  NetworkRecordSchema,
  QueueStateSchema,
} from '../schemas.js';

const Status = z.enum(executionStatuses);
const ListItem = z
  .object({
    execution_id: z.string(),
    profile_id: z.string(),
    key_id: z.string(),
    status: Status,
    signature_version: z.number(),
    execution_time_ms: z.number().nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
    script_first_line: z
      .string()
      .nullable()
      .openapi({
        description: `The first non-blank line of the script, trimmed, at most ${FIRST_LINE_MAX} characters (a cut ends with …); null when there is none or retention pruned the script`,
      }),
    cancelled: z.boolean().openapi({
      description:
        'Stopped from outside (an admin cancel, or the profile revoked or its key regenerated): the status is `error` and `error` says why',
    }),
    error_summary: z.string().nullable(),
    pruned_at: z.string().nullable().openapi({
      description:
        'When history retention dropped the script, outputs, result and LLM exchanges (the row stays)',
    }),
  })
  .openapi('AdminExecutionListItem');
const Detail = ListItem.extend({
  script: z.string(),
  stdout: z.string().nullable(),
  stderr: z.string().nullable(),
  result: z.unknown(),
  error: z.string().nullable(),
  timeout_seconds: z.number(),
  redaction_counts: z.record(z.string(), z.number()),
  network: z.array(NetworkRecordSchema),
  llm_request: z.object({ prompt: z.string(), model: z.string() }).nullable(),
  llm_exchanges: z.array(
    z.object({
      seq: z.number(),
      prompt: z.string(),
      model: z.string(),
      response: z.string().nullable(),
      asked_at: z.string(),
      answered_at: z.string().nullable(),
    }),
  ),
}).openapi('AdminExecution');
const Params = z.object({
  id: z
    .string()
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const list = createRoute({
  method: 'get',
  path: '/executions',
  tags: ['admin'],
  summary: 'Executions, newest first, with filters',
  request: {
    query: z.object({
      profile_id: z.string().max(64).optional(),
      status: Status.optional(),
      since: ClientTimestamp.optional(),
      until: ClientTimestamp.optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
    }),
  },
  responses: {
    200: json(z.object({ executions: z.array(ListItem), total: z.number() }), 'Executions'),
    ...errorResponses(401, 422),
  },
});
const detail = createRoute({
  method: 'get',
  path: '/executions/{id}',
  tags: ['admin'],
  summary: 'One execution with its script, outputs, redaction counts and LLM exchanges',
  request: { params: Params },
  responses: { 200: json(Detail, 'The execution'), ...errorResponses(401, 404) },
});
const cancel = createRoute({
  method: 'post',
  path: '/executions/{id}/cancel',
  tags: ['admin'],
  summary: 'Cancel a pending or running execution (its whole process tree is killed)',
  request: { params: Params },
  responses: { 200: json(Detail, 'The execution'), ...errorResponses(401, 403, 404, 409) },
});
const stats = createRoute({
  method: 'get',
  path: '/stats',
  tags: ['admin'],
  summary: 'Counts for the overview',
  responses: {
    200: json(
      z.object({
        credentials: z.object({
          total: z.number(),
          with_value: z.number(),
          missing_value: z.number(),
        }),
        profiles: z.object({
          total: z.number(),
          unlocked: z.number(),
          locked: z.number(),
          revoked: z.number(),
          expired: z.number(),
          expiring_soon: z.number(),
        }),
        executions: z.object({
          total: z.number(),
          last_24h: z.number(),
          by_status: z.record(z.string(), z.number()),
        }),
        queue: QueueStateSchema,
        sandbox: z.object({
          backend: z.string(),
          ok: z.boolean(),
          accounting: AccountingSchema.extend({
            detail: z.string().openapi({
              description: 'Where runs are accounted (cgroup directories), or why they are not',
            }),
          }),
        }),
        total_executions: z.number().openapi({ description: 'Same as executions.total' }),
        active_profiles: z
          .number()
          .openapi({ description: 'Locked, not revoked, not expired: keys that work now' }),
        stored_credentials: z
          .number()
          .openapi({ description: 'Credentials with a stored value (credentials.with_value)' }),
        history: z
          .object({
            bytes: z.number(),
            limit_bytes: z.number(),
            retention_days: z.number(),
            pruned_executions: z.number(),
            database_bytes: z.number(),
          })
          .openapi({
            description:
              'Execution history kept (scripts, outputs, results, LLM exchanges) against AIRLOCK_HISTORY_MAX_MB and AIRLOCK_HISTORY_DAYS; the oldest is pruned first',
          }),
      }),
      'Stats',
    ),
    ...errorResponses(401),
  },
});

const WEEK_MS = 7 * 24 * 3600_000;

export function adminExecutionRoutes(deps: AppDeps) {
  const view = (id: string) => adminDetailView(getExecution(deps.db, id), exchangesOf(deps.db, id));
  return (
    new OpenAPIHono<AdminEnv>({ defaultHook: validationHook })
      .openapi(list, (c) => {
        const q = c.req.valid('query');
        const { rows, total } = listExecutions(deps.db, {
          profileId: q.profile_id,
          status: q.status,
          since: q.since,
          until: q.until,
          limit: q.limit,
          offset: q.offset,
        });
        return c.json({ executions: rows.map(adminListItemView), total }, 200);
      })
      // The Detail shape with the result's numbers exact (see the agent poll route).
      .openapi(detail, (c) => exactJson(c, view(c.req.valid('param').id)) as never)
      .openapi(cancel, (c) => {
        const { id } = c.req.valid('param');
        const row = getExecution(deps.db, id);
        if (TERMINAL.has(row.status) || !deps.executions.cancel(id)) {
          throw new AppError(
            'CONFLICT',
            `Execution is '${getExecution(deps.db, id).status}' and cannot be cancelled`,
          );
        }
        recordAudit(deps, c.get('actor'), 'execution.cancel', { type: 'execution', id });
        return exactJson(c, view(id)) as never;
      })
      .openapi(stats, async (c) => {
        const now = deps.clock();
        const creds = deps.db.select({ n: count() }).from(credentials).get()?.n ?? 0;
        const withValue =
          deps.db.select({ n: count() }).from(credentials).where(isNotNull(credentials.value)).get()
            ?.n ?? 0;
        const ps = deps.db.select().from(profiles).all();
        const live = ps.filter((p) => p.locked && !p.revoked);
        const byStatus = Object.fromEntries(executionStatuses.map((s) => [s, 0])) as Record<
          string,
          number
        >;
        for (const r of deps.db
          .select({ status: executions.status, n: count() })
          .from(executions)
          .groupBy(executions.status)
          .all()) {
          byStatus[r.status] = r.n;
        }
        const last24h =
          deps.db
            .select({ n: count() })
            .from(executions)
            .where(gte(executions.createdAt, new Date(now.getTime() - 24 * 3600_000)))
            .get()?.n ?? 0;
        return c.json(
          {
            credentials: { total: creds, with_value: withValue, missing_value: creds - withValue },
            profiles: {
              total: ps.length,
              unlocked: ps.filter((p) => !p.locked && !p.revoked).length,
              locked: live.length,
              revoked: ps.filter((p) => p.revoked).length,
              expired: ps.filter((p) => !p.revoked && isExpired(p, now)).length,
              expiring_soon: live.filter(
                (p) =>
                  p.expiresAt !== null &&
                  !isExpired(p, now) &&
                  p.expiresAt.getTime() - now.getTime() < WEEK_MS,
              ).length,
            },
            executions: {
              total: Object.values(byStatus).reduce((a, b) => a + b, 0),
              last_24h: last24h,
              by_status: byStatus,
            },
            queue: deps.executions.state(),
            sandbox: {
              backend: deps.sandbox.backend,
              ok: (await deps.sandboxHealth.get()).ok,
              accounting: deps.sandbox.accounting,
            },
            history: deps.executions.historyUsage(),
            // The earlier implementation's flat figures, kept beside the nested ones.
            total_executions: Object.values(byStatus).reduce((a, b) => a + b, 0),
            active_profiles: live.filter((p) => !isExpired(p, now)).length,
            stored_credentials: withValue,
          },
          200,
        );
      })
  );
}
