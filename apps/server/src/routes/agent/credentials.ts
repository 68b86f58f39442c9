import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../deps.js';
import type { AppEnv } from '../../http/context.js';
import { validationHook } from '../../http/validation.js';
import { throttleAnonymous } from '../../services/anonymous-growth.js';
import { createCredentialSlots } from '../../services/credentials/create-slots.js';
import { listCredentialsForAgent } from '../../services/credentials/list.js';
import { agentActor } from '../actors.js';
import {
  AgentCredentialSchema,
  CredentialName,
  Description,
  errorResponses,
  json,
  jsonBody,
} from '../schemas.js';

const list = createRoute({
  method: 'get',
  path: '/credentials',
  tags: ['agent'],
  summary: 'List credential slots (never values)',
  responses: {
    200: json(
      z.object({ credentials: z.array(AgentCredentialSchema) }),
      'Credential slots, sorted by name',
    ),
  },
});

const create = createRoute({
  method: 'post',
  path: '/credentials',
  tags: ['agent'],
  summary: 'Create credential slots; values are entered only by a person in the admin UI',
  request: {
    body: jsonBody(
      z.object({
        credentials: z
          .array(
            // `value` is accepted and ignored (contract): values come only from the admin UI.
            z.object({
              name: CredentialName,
              description: Description.optional(),
              value: z.unknown().optional(),
            }),
          )
          .min(1)
          .max(500),
      }),
    ),
  },
  responses: {
    201: json(
      z.object({ created: z.array(z.string()), skipped: z.array(z.string()) }),
      'Created and skipped names',
    ),
    ...errorResponses(400, 409, 413, 415, 422, 429),
  },
});

export function agentCredentialRoutes(deps: AppDeps) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(list, (c) => c.json({ credentials: listCredentialsForAgent(deps) }, 200))
    .openapi(create, (c) => {
      const body = c.req.valid('json');
      throttleAnonymous(deps, c.get('clientIp'));
      const result = createCredentialSlots(
        deps,
        body.credentials.map((i) => ({ name: i.name, description: i.description })),
        deps.config,
        agentActor(c),
      );
      return c.json(result, 201);
    });
}
