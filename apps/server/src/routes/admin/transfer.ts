import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../deps.js';
import { AppError } from '../../errors.js';
import type { AdminEnv } from '../../http/admin-auth.js';
import { validationHook } from '../../http/validation.js';
import { isoUtc } from '../../lib/time.js';
import { exportState } from '../../services/transfer/export.js';
import {
  applyImport,
  MAX_IMPORT_BYTES,
  openExportFile,
  planImport,
} from '../../services/transfer/import.js';
import { errorResponses, json, jsonBody } from '../schemas.js';

/** Paths whose bodies may be as large as an export file (base64). */
export const IMPORT_PATHS: ReadonlySet<string> = new Set([
  '/api/admin/import',
  '/api/admin/import/preview',
]);
export const MAX_IMPORT_BODY_BYTES = Math.ceil((MAX_IMPORT_BYTES * 4) / 3) + 64 * 1024;

const Passphrase = z.string().max(1024).openapi({ format: 'password' });
const ExportPassphrase = Passphrase.min(12, 'Passphrase must be at least 12 characters');

const ImportPlanSchema = z
  .object({
    exported_at: z.string(),
    credentials: z.object({ new: z.array(z.string()), duplicate: z.array(z.string()) }),
    profiles: z.object({
      new: z.array(z.string()),
      duplicate: z.array(z.string()),
      conflicting_key: z.array(z.string()),
    }),
    requirements: z.object({ new: z.array(z.string()), duplicate: z.array(z.string()) }),
    egress_ca: z.enum(['absent', 'same', 'different']).openapi({
      description:
        "The export's instance CA (brokered credentials) against this one's; replaced only when overwriting",
    }),
  })
  .openapi('ImportPlan');

const ImportFile = z
  .string()
  .min(1)
  .max(MAX_IMPORT_BODY_BYTES)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'file must be the export file encoded as standard base64')
  .openapi({ description: 'The export file, base64' });

const exportRoute = createRoute({
  method: 'post',
  path: '/export',
  tags: ['admin'],
  summary: 'Download the whole state, encrypted under a passphrase',
  request: { body: jsonBody(z.object({ passphrase: ExportPassphrase })) },
  responses: {
    200: {
      description: 'The export file',
      content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...errorResponses(401, 403, 422),
  },
});

const previewRoute = createRoute({
  method: 'post',
  path: '/import/preview',
  tags: ['admin'],
  summary: 'Decrypt an export and show what importing it would change (changes nothing)',
  request: { body: jsonBody(z.object({ file: ImportFile, passphrase: Passphrase })) },
  responses: {
    200: json(ImportPlanSchema, 'What would change'),
    ...errorResponses(401, 403, 413, 422),
  },
});

const importRoute = createRoute({
  method: 'post',
  path: '/import',
  tags: ['admin'],
  summary: 'Import an export in one transaction (duplicates skipped or overwritten)',
  request: {
    body: jsonBody(
      z.object({
        file: ImportFile,
        passphrase: Passphrase,
        strategy: z.enum(['skip', 'overwrite']).default('skip'),
      }),
    ),
  },
  responses: {
    200: json(ImportPlanSchema.extend({ strategy: z.enum(['skip', 'overwrite']) }), 'Imported'),
    ...errorResponses(401, 403, 413, 422),
  },
});

function decodeFile(b64: string): Buffer {
  const buf = Buffer.from(b64, 'base64');
  if (buf.length === 0) throw new AppError('VALIDATION', 'The uploaded file is empty');
  return buf;
}

export function adminTransferRoutes(deps: AppDeps) {
  return new OpenAPIHono<AdminEnv>({ defaultHook: validationHook })
    .openapi(exportRoute, async (c) => {
      const file = await exportState(deps, c.req.valid('json').passphrase, c.get('actor'));
      const stamp = isoUtc(deps.clock()).replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
      return c.body(new Uint8Array(file), 200, {
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': `attachment; filename="airlock-${stamp}.airlock-export"`,
      });
    })
    .openapi(previewRoute, async (c) => {
      const body = c.req.valid('json');
      const doc = await openExportFile(decodeFile(body.file), body.passphrase);
      return c.json(planImport(deps.db, doc), 200);
    })
    .openapi(importRoute, async (c) => {
      const body = c.req.valid('json');
      const doc = await openExportFile(decodeFile(body.file), body.passphrase);
      const plan = applyImport(deps, doc, body.strategy, c.get('actor'));
      return c.json({ ...plan, strategy: body.strategy }, 200);
    });
}
