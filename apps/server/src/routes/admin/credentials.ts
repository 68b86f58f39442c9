import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../deps.js';
import type { AdminEnv } from '../../http/admin-auth.js';
import { validationHook } from '../../http/validation.js';
import { createCredential } from '../../services/credentials/create.js';
import { adminCredential, listCredentialsForAdmin } from '../../services/credentials/list.js';
import type { CredentialRow } from '../../services/credentials/queries.js';
import { removeCredential } from '../../services/credentials/remove.js';
import { updateCredential } from '../../services/credentials/update.js';
import { MAX_CREDENTIAL_VALUE_LENGTH } from '../../services/redaction-policy.js';
import {
  AdminCredentialSchema,
  CredentialName,
  DeliverySchema,
  Description,
  errorResponses,
  json,
  jsonBody,
} from '../schemas.js';

/** A credential value: any non-empty text up to 64 KiB (PEM keys and JSON service accounts fit). */
const Value = z
  .string()
  .min(1, 'Value must not be empty; send null to clear it')
  .max(
    MAX_CREDENTIAL_VALUE_LENGTH,
    `Value must be at most ${MAX_CREDENTIAL_VALUE_LENGTH} characters`,
  )
  .openapi({ format: 'password' });

const Params = z.object({ name: CredentialName.openapi({ param: { name: 'name', in: 'path' } }) });

const list = createRoute({
  method: 'get',
  path: '/credentials',
  tags: ['admin'],
  summary: 'All credentials with value status (never values)',
  responses: {
    200: json(z.object({ credentials: z.array(AdminCredentialSchema) }), 'Credentials'),
    ...errorResponses(401),
  },
});

const create = createRoute({
  method: 'post',
  path: '/credentials',
  tags: ['admin'],
  summary: 'Create a credential, optionally with its value',
  request: {
    body: jsonBody(
      z.object({
        name: CredentialName,
        description: Description.optional(),
        value: Value.optional(),
        delivery: DeliverySchema.optional(),
      }),
    ),
  },
  responses: { 201: json(AdminCredentialSchema, 'Created'), ...errorResponses(401, 403, 409, 422) },
});

const update = createRoute({
  method: 'put',
  path: '/credentials/{name}',
  tags: ['admin'],
  summary: 'Set, rotate or clear (null) the value; change the description or the delivery',
  request: {
    params: Params,
    body: jsonBody(
      z.object({
        description: Description.optional(),
        value: Value.nullable().optional(),
        delivery: DeliverySchema.optional(),
      }),
    ),
  },
  responses: { 200: json(AdminCredentialSchema, 'Updated'), ...errorResponses(401, 403, 404, 422) },
});

const remove = createRoute({
  method: 'delete',
  path: '/credentials/{name}',
  tags: ['admin'],
  summary: 'Delete a credential (refused while a locked, unrevoked profile uses it)',
  request: { params: Params },
  responses: {
    204: { description: 'Deleted' },
    ...errorResponses(401, 403, 404, 409),
  },
});

export function adminCredentialRoutes(deps: AppDeps) {
  const view = (row: CredentialRow) => adminCredential(deps, row);
  return new OpenAPIHono<AdminEnv>({ defaultHook: validationHook })
    .openapi(list, (c) => c.json({ credentials: listCredentialsForAdmin(deps) }, 200))
    .openapi(create, (c) =>
      c.json(view(createCredential(deps, c.req.valid('json'), c.get('actor'))), 201),
    )
    .openapi(update, (c) =>
      c.json(
        view(
          updateCredential(deps, c.req.valid('param').name, c.req.valid('json'), c.get('actor')),
        ),
        200,
      ),
    )
    .openapi(remove, (c) => {
      const { name } = c.req.valid('param');
      removeCredential(deps, name, c.get('actor'));
      return c.body(null, 204);
    });
}
