import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { createApp } from '../app.js';

/** Serves an app on a free loopback port for tests that need a real HTTP client (python, curl). */
export async function listen(
  app: ReturnType<typeof createApp>,
): Promise<{ url: string; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve(
      { fetch: app.fetch, hostname: '127.0.0.1', port: 0 },
      (info: AddressInfo) => {
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          close: () => new Promise<void>((done) => server.close(() => done())),
        });
      },
    );
  });
}
