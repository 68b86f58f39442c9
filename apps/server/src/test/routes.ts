import type { createTestContext } from './harness.js';

export interface RouteRef {
  method: string;
  /** The OpenAPI path, e.g. `/api/admin/profiles/{id}`. */
  template: string;
}

/** Every operation in the served OpenAPI document. */
export async function listRoutes(ctx: ReturnType<typeof createTestContext>): Promise<RouteRef[]> {
  const doc = (await ctx.call('GET', '/openapi.json')).json as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths).flatMap(([template, ops]) =>
    Object.keys(ops).map((method) => ({ method: method.toUpperCase(), template })),
  );
}

/** Fills `{id}` and `{name}` path parameters with the given values. */
export function fill(template: string, params: { id: string; name: string }): string {
  return template
    .replace('{id}', encodeURIComponent(params.id))
    .replace('{name}', encodeURIComponent(params.name));
}
