import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../deps.js';
import type { AdminEnv } from '../../http/admin-auth.js';
import { validationHook } from '../../http/validation.js';
import { createProfile } from '../../services/profiles/create.js';
import { attachCredentials, detachCredentials } from '../../services/profiles/credentials.js';
import {
  deleteProfile,
  lockProfile,
  regenerateKey,
  revokeProfile,
  updateProfile,
} from '../../services/profiles/lifecycle.js';
import { setNetworkPolicy } from '../../services/profiles/network.js';
import {
  getProfile,
  linkedCredentials,
  listProfileRows,
  type ProfileRow,
} from '../../services/profiles/queries.js';
import { adminProfileView } from '../../services/profiles/views.js';
import {
  AdminProfileSchema,
  CredentialName,
  CredentialNamesBody,
  Description,
  errorResponses,
  json,
  jsonBody,
  NetworkPolicySchema,
  NullableClientTimestamp,
  ProfileId,
} from '../schemas.js';

const Params = z.object({ id: ProfileId });
const WithKey = AdminProfileSchema.extend({
  key: z.string().openapi({ description: '`ark_<key id>:<secret>`, shown exactly once' }),
}).openapi('AdminProfileWithKey');

const list = createRoute({
  method: 'get',
  path: '/profiles',
  tags: ['admin'],
  summary: 'All profiles',
  responses: {
    200: json(z.object({ profiles: z.array(AdminProfileSchema) }), 'Profiles'),
    ...errorResponses(401),
  },
});
const create = createRoute({
  method: 'post',
  path: '/profiles',
  tags: ['admin'],
  summary: 'Create a profile',
  request: {
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z.object({
            description: Description.optional(),
            expires_at: NullableClientTimestamp.optional(),
            require_signature_v2: z.boolean().optional(),
          }),
        },
      },
    },
  },
  responses: { 201: json(AdminProfileSchema, 'Created'), ...errorResponses(401, 403, 422) },
});
const get = createRoute({
  method: 'get',
  path: '/profiles/{id}',
  tags: ['admin'],
  summary: 'One profile',
  request: { params: Params },
  responses: { 200: json(AdminProfileSchema, 'The profile'), ...errorResponses(401, 404) },
});
const update = createRoute({
  method: 'put',
  path: '/profiles/{id}',
  tags: ['admin'],
  summary:
    'Change description, expiry (null clears), the replay-protection requirement, or (unlocked only) the network policy',
  request: {
    params: Params,
    body: jsonBody(
      z.object({
        description: Description.optional(),
        expires_at: NullableClientTimestamp.optional(),
        require_signature_v2: z.boolean().optional(),
        network: NetworkPolicySchema.optional(),
      }),
    ),
  },
  responses: {
    200: json(AdminProfileSchema, 'Updated'),
    ...errorResponses(401, 403, 404, 409, 422),
  },
});
const remove = createRoute({
  method: 'delete',
  path: '/profiles/{id}',
  tags: ['admin'],
  summary: 'Delete an unlocked or revoked profile (execution history is kept)',
  request: { params: Params },
  responses: {
    204: { description: 'Deleted' },
    ...errorResponses(401, 403, 404, 409),
  },
});
const attach = createRoute({
  method: 'post',
  path: '/profiles/{id}/credentials',
  tags: ['admin'],
  summary: 'Attach credentials',
  request: { params: Params, body: jsonBody(CredentialNamesBody) },
  responses: {
    200: json(AdminProfileSchema, 'The profile'),
    ...errorResponses(401, 403, 404, 409, 422),
  },
});
const detach = createRoute({
  method: 'delete',
  path: '/profiles/{id}/credentials',
  tags: ['admin'],
  summary: 'Detach credentials',
  request: { params: Params, body: jsonBody(CredentialNamesBody) },
  responses: {
    200: json(AdminProfileSchema, 'The profile'),
    ...errorResponses(401, 403, 404, 409, 422),
  },
});
/** What the admin saw: the key is issued only if the profile still has exactly these. */
const Expected = z
  .object({
    credentials: z.array(CredentialName).max(500).openapi({
      description:
        'The credential names shown to the admin; 409 if the profile now has others (an agent may attach one meanwhile)',
    }),
  })
  .openapi('ExpectedProfile');
const keyAction = (path: string, summary: string) =>
  createRoute({
    method: 'post',
    path,
    tags: ['admin'],
    summary,
    request: { params: Params, body: jsonBody(Expected) },
    responses: { 200: json(WithKey, 'The profile'), ...errorResponses(401, 403, 404, 409, 422) },
  });
const lock = keyAction(
  '/profiles/{id}/lock',
  'Lock the profile and issue its key (shown once), if it still has the credentials shown',
);
const revoke = createRoute({
  method: 'post',
  path: '/profiles/{id}/revoke',
  tags: ['admin'],
  summary: 'Revoke the profile, permanently (a revoked one: 409)',
  request: { params: Params },
  responses: {
    200: json(AdminProfileSchema, 'The profile'),
    ...errorResponses(401, 403, 404, 409),
  },
});
const regenerate = keyAction(
  '/profiles/{id}/regenerate-key',
  'Issue a new key (the old one dies at once), if the profile still has the credentials shown',
);

export function adminProfileRoutes(deps: AppDeps) {
  const view = (row: ProfileRow) =>
    adminProfileView(row, linkedCredentials(deps.db, row.id), deps.clock());
  return new OpenAPIHono<AdminEnv>({ defaultHook: validationHook })
    .openapi(list, (c) => c.json({ profiles: listProfileRows(deps.db).map(view) }, 200))
    .openapi(create, (c) => {
      const b = c.req.valid('json');
      const row = createProfile(
        deps,
        {
          description: b.description,
          expiresAt: b.expires_at,
          requireSignatureV2: b.require_signature_v2,
        },
        c.get('actor'),
      );
      return c.json(view(row), 201);
    })
    .openapi(get, (c) => c.json(view(getProfile(deps.db, c.req.valid('param').id)), 200))
    .openapi(update, (c) => {
      const b = c.req.valid('json');
      const id = c.req.valid('param').id;
      // The policy first: a locked profile's (409) or an invalid one (422) changes nothing.
      if (b.network !== undefined) setNetworkPolicy(deps, id, b.network, c.get('actor'));
      const row = updateProfile(
        deps,
        c.req.valid('param').id,
        {
          description: b.description,
          expiresAt: b.expires_at,
          requireSignatureV2: b.require_signature_v2,
        },
        c.get('actor'),
      );
      return c.json(view(row), 200);
    })
    .openapi(remove, (c) => {
      deleteProfile(deps, c.req.valid('param').id, c.get('actor'));
      return c.body(null, 204);
    })
    .openapi(attach, (c) =>
      c.json(
        view(
          attachCredentials(
            deps,
            c.req.valid('param').id,
            c.req.valid('json').credentials,
            c.get('actor'),
          ),
        ),
        200,
      ),
    )
    .openapi(detach, (c) =>
      c.json(
        view(
          detachCredentials(
            deps,
            c.req.valid('param').id,
            c.req.valid('json').credentials,
            c.get('actor'),
          ),
        ),
        200,
      ),
    )
    .openapi(lock, (c) => {
      const r = lockProfile(deps, c.req.valid('param').id, c.req.valid('json'), c.get('actor'));
      c.header('Cache-Control', 'no-store');
      return c.json({ ...view(r.profile), key: r.key }, 200);
    })
    .openapi(revoke, (c) =>
      c.json(view(revokeProfile(deps, c.req.valid('param').id, c.get('actor'))), 200),
    )
    .openapi(regenerate, (c) => {
      const r = regenerateKey(deps, c.req.valid('param').id, c.req.valid('json'), c.get('actor'));
      c.header('Cache-Control', 'no-store');
      return c.json({ ...view(r.profile), key: r.key }, 200);
    });
}
