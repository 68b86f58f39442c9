import { SHARED_SCOPE } from '@airlock/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../deps.js';
import type { AdminEnv } from '../../http/admin-auth.js';
import { validationHook } from '../../http/validation.js';
import { getProfile } from '../../services/profiles/queries.js';
import {
  installRequirements,
  listRequirements,
  recentFailures,
} from '../../services/requirements/install.js';
import { listSystemPackages } from '../../services/requirements/system.js';
import { errorResponses, json, jsonBody } from '../schemas.js';

const Requirement = z
  .object({
    name: z.string(),
    spec: z.string(),
    version: z.string().nullable(),
    scope: z.string(),
    installed_at: z.string(),
  })
  .openapi('AdminRequirement');

const list = createRoute({
  method: 'get',
  path: '/requirements',
  tags: ['admin'],
  summary: 'Every installed requirement with its scope (shared, or the profile that asked)',
  responses: {
    200: json(
      z.object({
        packages: z.array(Requirement),
        system: z.array(z.object({ name: z.string(), version: z.string() })).openapi({
          description:
            "The system interpreter's own packages (Debian's python3 ones): every script imports them without an install",
        }),
        failures: z.array(
          z.object({
            at: z.string(),
            actor_type: z.string(),
            packages: z.array(z.string()),
            scope: z.string(),
            reason: z.string(),
            output: z
              .string()
              .openapi({ description: 'The end of the installer output, redacted' }),
          }),
        ),
      }),
      'Installed packages, the system ones, and recent failed installs',
    ),
    ...errorResponses(401),
  },
});

const install = createRoute({
  method: 'post',
  path: '/requirements',
  tags: ['admin'],
  summary:
    "Install packages for every profile's scripts (scope shared, the default) or for one profile's",
  request: {
    body: jsonBody(
      z.object({
        packages: z.array(z.string().min(1).max(200)).min(1).max(50),
        scope: z.string().max(64).optional().openapi({ description: "'shared' or a profile id" }),
      }),
    ),
  },
  responses: {
    200: json(
      z.object({
        installed: z.array(z.object({ name: z.string(), version: z.string() })),
        packages: z.array(Requirement),
      }),
      'Installed',
    ),
    ...errorResponses(401, 403, 404, 413, 415, 422),
  },
});

export function adminRequirementRoutes(deps: AppDeps) {
  return new OpenAPIHono<AdminEnv>({ defaultHook: validationHook })
    .openapi(list, async (c) =>
      c.json(
        {
          packages: listRequirements(deps),
          system: await listSystemPackages(deps.config.python),
          failures: recentFailures(deps),
        },
        200,
      ),
    )
    .openapi(install, async (c) => {
      const { packages, scope = SHARED_SCOPE } = c.req.valid('json');
      // A profile scope must name an existing profile (404 otherwise).
      if (scope !== SHARED_SCOPE) getProfile(deps.db, scope);
      return c.json(await installRequirements(deps, packages, c.get('actor'), scope), 200);
    });
}
