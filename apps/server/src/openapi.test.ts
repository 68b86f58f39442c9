import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createTestContext } from './test/harness.js';
import { OPENAPI_SPEC_PATH } from './test/openapi-path.js';

it('specs/openapi.json matches the routes (run `pnpm --filter @airlock/server openapi` to update)', async () => {
  const ctx = createTestContext();
  const served = (await ctx.call('GET', '/openapi.json')).json;
  ctx.close();
  const committed = JSON.parse(readFileSync(OPENAPI_SPEC_PATH, 'utf8'));
  expect(served).toEqual(committed);
});
