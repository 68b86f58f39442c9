import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppDeps } from './deps.js';
import { AppError } from './errors.js';
import { type AdminEnv, requireAdmin } from './http/admin-auth.js';
import { mayHaveBody } from './http/body.js';
import { type AppEnv, requestContext } from './http/context.js';
import { errorHandler } from './http/errors.js';
import { hostGuard } from './http/host-guard.js';
import { jsonGuard } from './http/json-guard.js';
import { validationHook } from './http/validation.js';
import { adminAuditRoutes } from './routes/admin/audit.js';
import { adminCredentialRoutes } from './routes/admin/credentials.js';
import { adminEgressCaRoutes } from './routes/admin/egress-ca.js';
import { adminExecutionRoutes } from './routes/admin/executions.js';
import { adminProfileRoutes } from './routes/admin/profiles.js';
import { adminRequirementRoutes } from './routes/admin/requirements.js';
import { adminSessionRoutes } from './routes/admin/session.js';
import {
  adminTransferRoutes,
  IMPORT_PATHS,
  MAX_IMPORT_BODY_BYTES,
} from './routes/admin/transfer.js';
import { agentCredentialRoutes } from './routes/agent/credentials.js';
import { agentExecutionRoutes } from './routes/agent/executions.js';
import { agentProfileRoutes } from './routes/agent/profiles.js';
import { agentRequirementRoutes } from './routes/agent/requirements.js';
import { agentSkillRoutes } from './routes/agent/skill.js';
import { healthRoutes, VERSION } from './routes/health.js';
import { uiRoutes } from './routes/ui.js';

/** Admin paths reachable without a session. */
export const PUBLIC_ADMIN_PATHS: ReadonlySet<string> = new Set([
  '/api/admin/status',
  '/api/admin/setup',
  '/api/admin/login',
]);

export const OPENAPI_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'Airlock',
    version: VERSION,
    description:
      'Agents run signed Python scripts with credentials they never see. Agent endpoints at the root; admin endpoints under /api/admin.',
  },
} as const;

/**
 * Builds the HTTP application from its dependencies. No environment is read here: `main.ts`
 * builds real dependencies, tests build their own.
 *
 * @example
 * const app = createApp(deps);
 * const res = await app.request('/health');
 */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.use('*', requestContext({ trustProxy: deps.config.trustProxy }));
  app.use(
    '*',
    hostGuard({
      bindHost: deps.config.host,
      publicUrl: deps.config.publicUrl,
      allowedHosts: deps.config.allowedHosts,
      trustProxy: deps.config.trustProxy,
    }),
  );
  // Bodies are limited before they are buffered (Content-Length first, then while streaming);
  // only the import endpoints accept an export file's size.
  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError('PAYLOAD_TOO_LARGE', `Request body larger than ${maxSize} bytes`);
      },
    });
  const defaultLimit = limit(deps.config.maxBodyBytes);
  const importLimit = limit(Math.max(deps.config.maxBodyBytes, MAX_IMPORT_BODY_BYTES));
  app.use('*', (c, next) => {
    if (!mayHaveBody(c)) return next();
    return IMPORT_PATHS.has(c.req.path) ? importLimit(c, next) : defaultLimit(c, next);
  });
  app.use('*', jsonGuard());
  app.use('*', async (c, next) => {
    await next();
    // API answers are never cached by browsers or proxies (they may carry a key shown once).
    // Set on the response itself: `c.header()` after the handler would copy the body into a new
    // Response (a stream), the slow way to send even a small JSON answer.
    const headers = c.res.headers;
    if (!headers.has('Cache-Control')) headers.set('Cache-Control', 'no-store');
    headers.set('X-Content-Type-Options', 'nosniff');
  });

  app.route('/', healthRoutes(deps));
  app.route('/', agentCredentialRoutes(deps));
  app.route('/', agentProfileRoutes(deps));
  app.route('/', agentExecutionRoutes(deps));
  app.route('/', agentRequirementRoutes(deps));
  app.route('/', agentSkillRoutes(deps));

  // Every admin route needs a session, except the three that get one. Hono runs middleware for
  // every matching path whichever sub-app owns the handler, so the exemption is explicit here.
  const requireSession = requireAdmin(deps);
  app.use('/api/admin/*', (c, next) =>
    // requireSession is what adds AdminEnv's variables (session, actor) to this context.
    PUBLIC_ADMIN_PATHS.has(c.req.path)
      ? next()
      : requireSession(c as unknown as Context<AdminEnv>, next),
  );
  const admin = new OpenAPIHono<AdminEnv>({ defaultHook: validationHook });
  admin.route('/', adminSessionRoutes(deps));
  admin.route('/', adminCredentialRoutes(deps));
  admin.route('/', adminEgressCaRoutes(deps));
  admin.route('/', adminProfileRoutes(deps));
  admin.route('/', adminAuditRoutes(deps));
  admin.route('/', adminRequirementRoutes(deps));
  admin.route('/', adminTransferRoutes(deps));
  admin.route('/', adminExecutionRoutes(deps));
  app.route('/api/admin', admin);

  app.doc31('/openapi.json', OPENAPI_INFO);
  app.route('/', uiRoutes(deps.adminDist));

  app.notFound((c) =>
    c.json({ detail: 'Not Found', code: 'NOT_FOUND', request_id: c.get('requestId') }, 404),
  );
  app.onError(errorHandler(deps.logger));
  return app;
}

export type AirlockApp = ReturnType<typeof createApp>;
