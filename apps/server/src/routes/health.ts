import type { Sandbox } from '@airlock/sandbox';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { AccountingSchema, json, QueueStateSchema } from './schemas.js';

export const VERSION = '0.1.0';

const Health = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    version: z.string(),
    sandbox: z.object({
      backend: z.string(),
      ok: z.boolean(),
      unconfined: z.boolean(),
      seccomp: z.boolean(),
      accounting: AccountingSchema,
      warm_pool: z.object({ size: z.number(), ready: z.number() }).openapi({
        description:
          'Sandboxes started ahead of demand (size 0: no pool); runs without a network policy or packages of their own take one',
      }),
      detail: z.string().optional(),
    }),
    queue: QueueStateSchema,
  })
  .openapi('Health');

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['agent'],
  summary: 'Liveness, the sandbox backend in use and whether it works, the queue',
  responses: { 200: json(Health, 'Up'), 503: json(Health, 'The sandbox does not work') },
});

export function healthRoutes(deps: AppDeps) {
  return new OpenAPIHono<AppEnv>().openapi(health, async (c) => {
    const h = await deps.sandboxHealth.get();
    const body = {
      status: h.ok ? ('ok' as const) : ('unavailable' as const),
      version: VERSION,
      sandbox: {
        backend: h.backend,
        ok: h.ok,
        unconfined: h.unconfined,
        seccomp: h.seccomp,
        // Not the detail (host paths): the admin overview shows it.
        accounting: { active: h.accounting.active, mechanism: h.accounting.mechanism },
        warm_pool: warmPool(deps),
        ...(h.detail && !h.ok ? { detail: h.detail } : {}),
      },
      queue: deps.executions.state(),
    };
    return h.ok ? c.json(body, 200) : c.json(body, 503);
  });
}

function warmPool(deps: { sandbox: Sandbox }) {
  const w = deps.sandbox.warmStats();
  return { size: w?.size ?? 0, ready: w?.ready ?? 0 };
}
