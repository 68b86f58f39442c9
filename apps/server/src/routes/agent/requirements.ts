import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../deps.js';
import type { AppEnv } from '../../http/context.js';
import { requireSignedRequest, signedProfile } from '../../http/signed-call.js';
import { validationHook } from '../../http/validation.js';
import { installRequirements, listRequirements } from '../../services/requirements/install.js';
import { errorResponses, json, jsonBody } from '../schemas.js';

const Requirement = z
  .object({
    name: z.string(),
    spec: z.string(),
    version: z.string().nullable(),
    scope: z.string().openapi({
      description:
        "'shared' (every profile's scripts import it), or the profile id whose scripts alone do",
    }),
    installed_at: z.string(),
  })
  .openapi('Requirement');

const list = createRoute({
  method: 'get',
  path: '/requirements',
  tags: ['agent'],
  summary: 'Python packages installed through Airlock, with their scope',
  responses: { 200: json(z.object({ packages: z.array(Requirement) }), 'Installed packages') },
});

const install = createRoute({
  method: 'post',
  path: '/requirements',
  tags: ['agent'],
  summary:
    "Install Python packages for this profile's scripts: a request signed with the key secret of a locked profile (Authorization: Bearer <key id>, X-Airlock-Timestamp, X-Airlock-Nonce, X-Airlock-Signature)",
  request: {
    body: jsonBody(z.object({ packages: z.array(z.string().min(1).max(200)).min(1).max(50) })),
  },
  responses: {
    200: json(
      z.object({
        installed: z.array(z.object({ name: z.string(), version: z.string() })),
        packages: z.array(Requirement),
      }),
      'Installed',
    ),
    ...errorResponses(401, 413, 415, 422),
  },
});

export function agentRequirementRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use('/requirements', requireSignedRequest(deps, 'POST'));
  return app
    .openapi(list, (c) => c.json({ packages: listRequirements(deps) }, 200))
    .openapi(install, async (c) => {
      const profile = signedProfile(c);
      // Installed for this profile's scripts alone: nothing it adds changes another's imports.
      const r = await installRequirements(
        deps,
        c.req.valid('json').packages,
        { type: 'profile', id: profile.keyId, ip: c.get('clientIp') },
        profile.id,
      );
      return c.json(r, 200);
    });
}
