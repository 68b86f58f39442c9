// @vitest-environment node
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { API_TYPES_PATH, GENERATE_HINT, renderApiTypes } from '../../scripts/api-types';

// The UI's API types are generated from specs/openapi.json: a hand edit, or a spec changed
// without regenerating, fails here (the message says what to run, the diff what differs).
it('src/api/schema.gen.ts is what openapi-typescript makes of specs/openapi.json', async () => {
  const committed = readFileSync(API_TYPES_PATH, 'utf8');
  expect(committed, `src/api/schema.gen.ts is stale: ${GENERATE_HINT}`).toBe(
    await renderApiTypes(),
  );
}, 30_000);
