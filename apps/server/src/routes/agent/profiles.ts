import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../deps.js';
import type { AppEnv } from '../../http/context.js';
import { validationHook } from '../../http/validation.js';
import { assertRoomForProfile, throttleAnonymous } from '../../services/anonymous-growth.js';
import { createProfile } from '../../services/profiles/create.js';
import { attachCredentials, detachCredentials } from '../../services/profiles/credentials.js';
import { setNetworkPolicy } from '../../services/profiles/network.js';
import {
  getProfile,
  linkedCredentials,
  listProfileRows,
  type ProfileRow,
} from '../../services/profiles/queries.js';
import { agentProfileView } from '../../services/profiles/views.js';
import { agentActor } from '../actors.js';
import {
  AgentProfileSchema,
  CredentialNamesBody,
  Description,
  errorResponses,
  json,
  jsonBody,
  NetworkPolicySchema,
  ProfileId,
} from '../schemas.js';

const Params = z.object({ id: ProfileId });

const list = createRoute({
  method: 'get',
  path: '/profiles',
  tags: ['agent'],
  summary: 'List profiles (no secrets)',
  responses: {
    200: json(z.object({ profiles: z.array(AgentProfileSchema) }), 'All profiles, oldest first'),
  },
});

const get = createRoute({
  method: 'get',
  path: '/profiles/{id}',
  tags: ['agent'],
  summary: 'One profile',
  request: { params: Params },
  responses: { 200: json(AgentProfileSchema, 'The profile'), ...errorResponses(404) },
});

const create = createRoute({
  method: 'post',
  path: '/profiles',
  tags: ['agent'],
  summary: 'Create an unlocked profile',
  request: {
    body: {
      required: false,
      content: {
        'application/json': { schema: z.object({ description: Description.optional() }) },
      },
    },
  },
  responses: {
    201: json(AgentProfileSchema, 'The new profile'),
    ...errorResponses(400, 409, 413, 415, 422, 429),
  },
});

const attach = createRoute({
  method: 'post',
  path: '/profiles/{id}/credentials',
  tags: ['agent'],
  summary: 'Attach credentials (idempotent, all-or-nothing)',
  request: { params: Params, body: jsonBody(CredentialNamesBody) },
  responses: {
    200: json(AgentProfileSchema, 'The profile'),
    ...errorResponses(400, 404, 409, 413, 415, 422, 429),
  },
});

const detach = createRoute({
  method: 'delete',
  path: '/profiles/{id}/credentials',
  tags: ['agent'],
  summary: 'Detach credentials (unknown names ignored)',
  request: { params: Params, body: jsonBody(CredentialNamesBody) },
  responses: {
    200: json(AgentProfileSchema, 'The profile'),
    ...errorResponses(400, 404, 409, 413, 415, 422, 429),
  },
});

const network = createRoute({
  method: 'put',
  path: '/profiles/{id}/network',
  tags: ['agent'],
  summary: "Propose the profile's network policy (unlocked profiles only; frozen at lock)",
  request: { params: Params, body: jsonBody(NetworkPolicySchema) },
  responses: {
    200: json(AgentProfileSchema, 'The profile'),
    ...errorResponses(400, 404, 409, 413, 415, 422, 429),
  },
});

export function agentProfileRoutes(deps: AppDeps) {
  const view = (row: ProfileRow) =>
    agentProfileView(row, linkedCredentials(deps.db, row.id), deps.clock());
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(list, (c) => c.json({ profiles: listProfileRows(deps.db).map(view) }, 200))
    .openapi(get, (c) => c.json(view(getProfile(deps.db, c.req.valid('param').id)), 200))
    .openapi(create, (c) => {
      const body = c.req.valid('json');
      throttleAnonymous(deps, c.get('clientIp'));
      assertRoomForProfile(deps.db, deps.config);
      return c.json(
        view(createProfile(deps, { description: body.description }, agentActor(c))),
        201,
      );
    })
    .openapi(attach, (c) => {
      const { id } = c.req.valid('param');
      throttleAnonymous(deps, c.get('clientIp'));
      return c.json(
        view(attachCredentials(deps, id, c.req.valid('json').credentials, agentActor(c))),
        200,
      );
    })
    .openapi(detach, (c) => {
      const { id } = c.req.valid('param');
      throttleAnonymous(deps, c.get('clientIp'));
      return c.json(
        view(detachCredentials(deps, id, c.req.valid('json').credentials, agentActor(c))),
        200,
      );
    })
    .openapi(network, (c) => {
      const { id } = c.req.valid('param');
      throttleAnonymous(deps, c.get('clientIp'));
      return c.json(view(setNetworkPolicy(deps, id, c.req.valid('json'), agentActor(c))), 200);
    });
}
