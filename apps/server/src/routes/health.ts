import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { json } from './schemas.js';

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['agent'],
  summary: 'Liveness',
  responses: { 200: json(z.object({ status: z.literal('ok'), version: z.string() }), 'Up') },
});

export function healthRoutes(_deps: AppDeps) {
  return new OpenAPIHono<AppEnv>().openapi(health, (c) =>
    c.json({ status: 'ok' as const, version: '0.1.0' }, 200),
  );
}
