import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { ApiError, api, filenameFromDisposition, NETWORK_ERROR_STATUS } from './client';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('api client', () => {
  it('sends JSON with the session cookie and returns the parsed body', async () => {
    const f = fakeFetch({ 'POST /api/admin/profiles/p1/credentials': json(200, { id: 'p1' }) });
    await expect(api.profiles.attach('p1', ['A'])).resolves.toEqual({ id: 'p1' });
    expect(f.calls[0]?.body).toEqual({ credentials: ['A'] });
    const init = f.fn.mock.calls[0]?.[1];
    expect(init?.credentials).toBe('same-origin');
  });

  it('keeps the server error body: detail, code, request id', async () => {
    fakeFetch({
      'DELETE /api/admin/credentials/X': json(409, {
        detail: 'In use',
        code: 'CONFLICT',
        request_id: 'r1',
      }),
    });
    const err = await api.credentials.remove('X').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, detail: 'In use', code: 'CONFLICT', requestId: 'r1' });
  });

  it('a body that is not the error shape still gives a readable error', async () => {
    fakeFetch({ 'GET /api/admin/stats': new Response('<html>', { status: 502 }) });
    const err = await api.stats().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502 });
    expect((err as ApiError).detail).toMatch(/502/);
  });

  it('a network failure is an ApiError with status 0', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    const err = await api.status().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: NETWORK_ERROR_STATUS });
  });

  it('builds execution filters into the query string, leaving out empty ones', async () => {
    const f = fakeFetch({ 'GET /api/admin/executions': json(200, { executions: [], total: 0 }) });
    await api.executions.list({ status: 'running', profile_id: undefined, offset: 50 });
    const url = String(f.fn.mock.calls[0]?.[0]);
    expect(url).toBe('/api/admin/executions?status=running&limit=50&offset=50');
  });

  it('export returns the file and its name from Content-Disposition', async () => {
    fakeFetch({
      'POST /api/admin/export': new Response(new Uint8Array([1, 2, 3]), {
        status: 200,
        headers: { 'Content-Disposition': 'attachment; filename="airlock-1.airlock-export"' },
      }),
    });
    const d = await api.exportState('a long passphrase');
    expect(d.filename).toBe('airlock-1.airlock-export');
    expect(new Uint8Array(await d.blob.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('filenameFromDisposition falls back when there is no name', () => {
    expect(filenameFromDisposition(null, 'x')).toBe('x');
    expect(filenameFromDisposition('attachment; filename=y.bin', 'x')).toBe('y.bin');
  });
});
