import { creators } from '@airlock/db';
import { z } from '@hono/zod-openapi';
import { credentialNameSchema, descriptionSchema } from '../lib/names.js';
import { parseClientTimestamp } from '../lib/time.js';

/** Shared OpenAPI components: the error envelope and the resource objects. */

export const ErrorSchema = z
  .object({
    detail: z.union([
      z.string(),
      z.array(
        z.object({
          type: z.string(),
          loc: z.array(z.union([z.string(), z.number()])),
          msg: z.string(),
          input: z.unknown(),
        }),
      ),
    ]),
    code: z.string().optional(),
    request_id: z.string().optional(),
  })
  .openapi('Error');

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: errorDescriptions[s] ?? 'Error',
        content: { 'application/json': { schema: ErrorSchema } },
      },
    ]),
  );

const errorDescriptions: Record<number, string> = {
  400: 'Malformed request',
  401: 'Not authenticated',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Request body too large',
  415: 'Unsupported media type',
  422: 'Validation failed',
  429: 'Too many requests (see Retry-After)',
  503: 'Unavailable (see Retry-After)',
};

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const CredentialName = credentialNameSchema.openapi({ example: 'STRIPE_API_KEY' });
export const Description = descriptionSchema.openapi({ example: 'Stripe secret key, read-only' });

/** An ISO-8601 instant; without a zone it is read as UTC. */
export const ClientTimestamp = z
  .string()
  .max(64)
  .transform((s, ctx) => {
    const d = parseClientTimestamp(s);
    if (d === null) {
      ctx.addIssue({
        code: 'custom',
        message: 'Expected an ISO-8601 timestamp, e.g. 2026-12-31T23:59:59Z',
      });
      return z.NEVER;
    }
    return d;
  })
  .openapi({ type: 'string', format: 'date-time', example: '2026-12-31T23:59:59Z' });

/** The same, or null (clears it): the override above would otherwise hide the null. */
export const NullableClientTimestamp = ClientTimestamp.nullable().openapi({
  type: ['string', 'null'],
  format: 'date-time',
  example: '2026-12-31T23:59:59Z',
});

export const ProfileId = z
  .string()
  .max(64)
  .openapi({ param: { name: 'id', in: 'path' }, example: '0b4c…' });

/**
 * How a credential's value reaches a script. The body schema only shapes it; hosts are checked
 * by @airlock/egress (an invalid entry: 422 naming it).
 */
export const DeliverySchema = z
  .object({
    mode: z.enum(['inject', 'broker']).openapi({
      description:
        'inject: settings[NAME] holds the value (scrubbed from output). broker: settings[NAME] holds a placeholder; the egress proxy puts the value into HTTP requests to the hosts only (headers, Basic auth, URL, JSON and form bodies), so it never enters the sandbox',
    }),
    hosts: z
      .array(z.string().max(300))
      .max(20)
      .optional()
      .openapi({
        description:
          'broker only: host[:ports] entries (a DNS name or *.name; ports default 443,80) the value may be sent to; the profile network policy must allow them',
        example: ['api.stripe.com'],
      }),
  })
  .strict()
  .openapi('Delivery');

export const AgentCredentialSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    value_exists: z.boolean(),
    delivery: DeliverySchema,
  })
  .openapi('AgentCredential');

/**
 * A profile's network policy. The body schema only shapes it; entries are checked by
 * @airlock/egress (an invalid entry: 422 naming it).
 */
export const NetworkPolicySchema = z
  .object({
    mode: z.enum(['none', 'allowlist', 'open']).openapi({
      description:
        'none: no network; allowlist: only the entries; open: any public address (never loopback, private, link-local or metadata ranges)',
    }),
    allow: z
      .array(z.string().max(300))
      .max(100)
      .default([])
      .openapi({
        description:
          'host[:ports]: a DNS name, *.name (subdomains), an IPv4 literal, [IPv6], or a CIDR; ports a number, a-b, or a comma list (default 443,80)',
        example: ['api.stripe.com', '*.example.com:8443', '10.0.0.5:5432'],
      }),
  })
  .strict()
  .openapi('NetworkPolicy');

export const AgentProfileSchema = z
  .object({
    id: z.string(),
    description: z.string(),
    locked: z.boolean(),
    key_id: z.string().nullable(),
    credentials: z.array(AgentCredentialSchema),
    network: NetworkPolicySchema,
    expires_at: z.string().nullable(),
    expired: z.boolean(),
    revoked: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Profile');

/** Who made a credential slot or a profile. */
export const CreatedBySchema = z.enum(creators).openapi({
  description:
    'agent: requested through the open agent endpoints (POST /credentials, POST /profiles); admin: made in the admin API (and every row from before this was recorded)',
});

export const AdminCredentialSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    has_value: z.boolean(),
    delivery: DeliverySchema,
    redactable: z.boolean().nullable(),
    value_updated_at: z.string().nullable(),
    used_by: z.array(
      z.object({ profile_id: z.string(), locked: z.boolean(), revoked: z.boolean() }),
    ),
    created_by: CreatedBySchema,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('AdminCredential');

export const AdminProfileSchema = z
  .object({
    id: z.string(),
    description: z.string(),
    locked: z.boolean(),
    key_id: z.string().nullable(),
    credentials: z.array(
      z.object({
        name: z.string(),
        description: z.string(),
        has_value: z.boolean(),
        delivery: DeliverySchema,
      }),
    ),
    network: NetworkPolicySchema,
    expires_at: z.string().nullable(),
    expired: z.boolean(),
    revoked: z.boolean(),
    require_signature_v2: z.boolean(),
    locked_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
    created_by: CreatedBySchema,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('AdminProfile');

export const CredentialNamesBody = z
  .object({ credentials: z.array(CredentialName).max(500) })
  .openapi('CredentialNames');

/** One connection attempt of a script, as the agent sees it in a terminal poll body. */
export const NetworkAttemptSchema = z
  .object({
    host: z.string(),
    port: z.number(),
    verdict: z.enum(['allowed', 'denied']),
    reason: z.string().optional().openapi({
      description: 'Why it was denied, or why an allowed connection was cut (a per-run limit)',
    }),
    brokered: z
      .object({
        requests: z.array(
          z.object({
            method: z.string(),
            status: z.number(),
            substituted: z.array(z.string()).openapi({
              description: 'Brokered credentials whose value the proxy put into this request',
            }),
            unsubstituted: z.array(z.string()).optional().openapi({
              description:
                'Placeholders left as they were (not bound to this host, or a value a header cannot carry)',
            }),
            error: z.string().optional(),
          }),
        ),
        dropped_requests: z.number(),
      })
      .optional()
      .openapi({ description: 'A connection to a brokered host: read as HTTP, values put in' }),
    placeholders: z.array(z.string()).optional().openapi({
      description:
        'Brokered credentials whose placeholder was seen going (unchanged) to a host they are not bound to',
    }),
  })
  .openapi('NetworkAttempt');

/** The admin's view of an attempt: also the address used, bytes each way and times. */
export const NetworkRecordSchema = NetworkAttemptSchema.extend({
  address: z.string().optional(),
  bytes_up: z.number(),
  bytes_down: z.number(),
  started_ms: z.number().openapi({ description: 'Since the run started its network use' }),
  duration_ms: z.number(),
}).openapi('NetworkRecord');

/** The execution queue as `/health` and the admin stats report it. */
/** Whether each run's memory and processes are bounded as a whole (a cgroup per run). */
export const AccountingSchema = z
  .object({
    active: z.boolean(),
    mechanism: z.enum(['cgroup-v2', 'cgroup-v1', 'none']).openapi({
      description:
        'none: memory is bounded per process (RLIMIT_AS), and SysV shared memory and memfds are refused',
    }),
  })
  .openapi('Accounting');

export const QueueStateSchema = z
  .object({
    running: z.number().openapi({ description: 'Runs using a slot' }),
    blocked: z.number().openapi({
      description:
        'Runs blocked in I/O or a sleep (no process runnable): they hold no slot until they compute again',
    }),
    waiting: z.number().openapi({ description: 'Runs paused in llm.complete (they hold no slot)' }),
    queued: z.number(),
    concurrency: z.number(),
    max_waiting: z.number(),
    capacity: z.number().openapi({ description: 'Most accepted at once (running + queued)' }),
  })
  .openapi('QueueState');
