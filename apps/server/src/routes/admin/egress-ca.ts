import type { CertificateAuthorityInfo } from '@airlock/egress';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AdminEnv } from '../../http/admin-auth.js';
import { validationHook } from '../../http/validation.js';
import type { InstanceCa } from '../../services/egress-ca.js';
import { errorResponses, json } from '../schemas.js';

const EgressCa = z
  .object({
    certificate: z
      .string()
      .openapi({ description: 'PEM; what sandboxes with brokered credentials trust' }),
    fingerprint_sha256: z.string(),
    not_before: z.string(),
    not_after: z.string(),
    subject: z.string(),
  })
  .openapi('EgressCa');

const get = createRoute({
  method: 'get',
  path: '/egress-ca',
  tags: ['admin'],
  summary: 'The instance CA the egress proxy intercepts brokered hosts with (never its key)',
  responses: { 200: json(EgressCa, 'The CA certificate'), ...errorResponses(401) },
});

const rotate = createRoute({
  method: 'post',
  path: '/egress-ca/rotate',
  tags: ['admin'],
  summary: 'Replace the instance CA: runs started afterwards use the new one',
  responses: { 200: json(EgressCa, 'The new CA certificate'), ...errorResponses(401, 403) },
});

const view = (i: CertificateAuthorityInfo) => ({
  certificate: i.certificate,
  fingerprint_sha256: i.fingerprintSha256,
  not_before: i.notBefore,
  not_after: i.notAfter,
  subject: i.subject,
});

export function adminEgressCaRoutes(deps: { instanceCa: InstanceCa }) {
  return new OpenAPIHono<AdminEnv>({ defaultHook: validationHook })
    .openapi(get, async (c) => c.json(view(await deps.instanceCa.info()), 200))
    .openapi(rotate, async (c) => c.json(view(await deps.instanceCa.rotate(c.get('actor'))), 200));
}
