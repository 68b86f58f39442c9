/**
 * Rewrites the generated file that is committed: src/api/schema.gen.ts, the API types, from
 * specs/openapi.json (which `pnpm --filter @airlock/server generate` writes from the routes).
 *
 *   pnpm --filter @airlock/admin generate
 */
import { writeFileSync } from 'node:fs';
import { API_TYPES_PATH, renderApiTypes } from './api-types';

writeFileSync(API_TYPES_PATH, await renderApiTypes());
process.stdout.write(`wrote ${API_TYPES_PATH}\n`);
