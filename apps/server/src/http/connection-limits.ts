import { readFileSync } from 'node:fs';
import type { Server, ServerOptions } from 'node:http';
import type { Logger } from '../logger.js';

/**
 * Timeouts that end what a slow client leaves half-sent: complete headers within 10 s, the whole
 * request within 2 minutes (an import may be large), checked every second.
 */
export const SERVER_TIMEOUTS: ServerOptions = {
  headersTimeout: 10_000,
  requestTimeout: 120_000,
  connectionsCheckingInterval: 1_000,
  keepAliveTimeout: 5_000,
};

/** The soft open-files limit of this process (from /proc; 1024 if it cannot be read). */
export function openFilesLimit(): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m?.[1] === 'unlimited') return 1 << 20;
    return m ? Number(m[1]) : 1024;
  } catch {
    return 1024;
  }
}

/**
 * Caps connections in total (so file descriptors remain for the database and the sandboxes)
 * and per client address (so one client cannot hold them all while others, `/health` included,
 * still get through). A connection over either cap is closed at once. Behind a proxy every
 * client shares the proxy's address: raise the per-client cap or set it to 0 (no cap).
 */
export function limitConnections(
  server: Server,
  limits: { total: number; perClient: number },
  logger: Logger,
): void {
  server.maxConnections = limits.total;
  if (limits.perClient <= 0) return;
  const open = new Map<string, number>();
  let warned = 0;
  server.on('connection', (socket) => {
    const client = socket.remoteAddress ?? 'unknown';
    const n = (open.get(client) ?? 0) + 1;
    if (n > limits.perClient) {
      socket.destroy();
      const now = Date.now();
      if (now - warned > 60_000) {
        warned = now;
        logger.warn('connection refused: too many from one client', {
          client_ip: client,
          limit: limits.perClient,
        });
      }
      return;
    }
    open.set(client, n);
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left <= 0) open.delete(client);
      else open.set(client, left);
    });
  });
}
