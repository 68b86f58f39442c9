import { creators } from '@airlock/db';
import { parsePolicy } from '@airlock/egress';
import { z } from 'zod';
import { CREDENTIAL_NAME, CREDENTIAL_NAME_MAX } from '../../lib/names.js';
import { parseDelivery } from '../credentials/delivery.js';
import { MAX_CREDENTIAL_VALUE_LENGTH } from '../redaction-policy.js';

/**
 * The plaintext inside an export file (the vault's passphrase format wraps it). Values and key
 * secrets are in clear here, which is why the whole document only ever exists encrypted on disk
 * or in a download. Sessions and the admin account are never part of it.
 */
const iso = z.iso.datetime({ offset: true });
const uuid = z.string().regex(/^[0-9a-f-]{36}$/);
/** Absent in exports from before it was recorded: the admin made it. */
const createdBy = z.enum(creators).optional();

export const exportDocumentSchema = z.object({
  format: z.literal('airlock-export'),
  version: z.literal(1),
  exported_at: iso,
  credentials: z
    .array(
      z.object({
        name: z.string().regex(CREDENTIAL_NAME).max(CREDENTIAL_NAME_MAX),
        description: z.string().max(2000),
        value: z.string().max(MAX_CREDENTIAL_VALUE_LENGTH).nullable(),
        /** Absent in exports from before brokered credentials: injected. */
        delivery: z
          .unknown()
          .optional()
          .superRefine((v, ctx) => {
            if (v === undefined) return;
            try {
              parseDelivery(v);
            } catch (e) {
              ctx.addIssue({ code: 'custom', message: (e as Error).message });
            }
          }),
        value_updated_at: iso.nullable(),
        created_by: createdBy,
        created_at: iso,
        updated_at: iso,
      }),
    )
    .max(100_000),
  profiles: z
    .array(
      z.object({
        id: uuid,
        description: z.string().max(2000),
        locked: z.boolean(),
        key_id: z
          .string()
          .regex(/^ark_[a-z0-9]{24}$/)
          .nullable(),
        secret: z
          .string()
          .regex(/^[A-Za-z0-9]{48}$/)
          .nullable(),
        require_signature_v2: z.boolean(),
        /** Absent in exports from before network policies: no network. */
        network: z
          .unknown()
          .optional()
          .superRefine((v, ctx) => {
            if (v === undefined) return;
            try {
              parsePolicy(v);
            } catch (e) {
              ctx.addIssue({ code: 'custom', message: (e as Error).message });
            }
          }),
        expires_at: iso.nullable(),
        revoked: z.boolean(),
        locked_at: iso.nullable(),
        revoked_at: iso.nullable(),
        created_by: createdBy,
        created_at: iso,
        updated_at: iso,
        credentials: z
          .array(z.string().regex(CREDENTIAL_NAME).max(CREDENTIAL_NAME_MAX))
          .max(10_000),
      }),
    )
    .max(100_000),
  /** The instance CA of brokered credentials (its key in clear, as the values are). */
  egress_ca: z
    .object({
      certificate: z.string().max(20_000),
      private_key: z.string().max(20_000),
    })
    .optional(),
  requirements: z
    .array(
      z.object({
        name: z.string().min(1).max(200),
        spec: z.string().min(1).max(400),
        installed_version: z.string().max(100).nullable(),
        installed_at: iso,
      }),
    )
    .max(10_000),
});

export type ExportDocument = z.infer<typeof exportDocumentSchema>;
