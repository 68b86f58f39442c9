/**
 * Rewrites specs/openapi.json from the zod route definitions (the document the server serves at
 * /openapi.json). A test fails while the committed file is stale.
 *
 *   pnpm --filter @airlock/server openapi
 */
import { writeFileSync } from 'node:fs';
import { createTestContext } from '../src/test/harness.js';
import { OPENAPI_SPEC_PATH } from '../src/test/openapi-path.js';

const ctx = createTestContext();
const res = await ctx.app.request('/openapi.json');
writeFileSync(OPENAPI_SPEC_PATH, `${JSON.stringify(await res.json(), null, 2)}\n`);
ctx.close();
process.stdout.write(`wrote ${OPENAPI_SPEC_PATH}\n`);
