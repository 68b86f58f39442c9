import type { Server } from 'node:http';
import { SandboxUnavailableError } from '@airlock/sandbox';
import { VaultStartupError } from '@airlock/vault';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { limitConnections, openFilesLimit, SERVER_TIMEOUTS } from './http/connection-limits.js';
import { createLogger } from './logger.js';
import { InstanceLockError } from './services/instance-lock.js';
import { buildDeps } from './startup.js';

/**
 * The only place that reads the environment. Fails fast, with the reason, on bad configuration
 * or a data directory whose master key does not open its data.
 */
async function main(): Promise<void> {
  // Everything Airlock writes (database, WAL, key, setup code, exports) is private to its user.
  process.umask(0o077);
  // Every log line passes the redactor over all stored secrets once the data is open.
  let scrub: ((line: string) => string) | undefined;
  const logger = createLogger(undefined, (line) => (scrub ? scrub(line) : line));
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let built: Awaited<ReturnType<typeof buildDeps>>;
  try {
    built = await buildDeps(config, logger);
  } catch (err) {
    if (
      err instanceof VaultStartupError ||
      err instanceof SandboxUnavailableError ||
      err instanceof InstanceLockError
    ) {
      process.stderr.write(`Airlock cannot start: ${err.message}\n`);
      process.exit(3);
    }
    throw err;
  }
  const engine = built.deps.executions;
  scrub = (line) => engine.redactor().redactString(line).text;
  const app = createApp(built.deps);
  // serve() makes a plain HTTP/1.1 server unless told otherwise.
  const server = serve(
    {
      fetch: app.fetch,
      hostname: config.host,
      port: config.port,
      serverOptions: SERVER_TIMEOUTS,
    },
    (info) => {
      logger.info('airlock listening', {
        url: `http://${info.address === '0.0.0.0' ? 'localhost' : info.address}:${info.port}`,
        data_dir: config.dataDir,
      });
    },
  );
  const http = server as Server;
  limitConnections(
    http,
    {
      total: config.maxConnections ?? Math.max(64, Math.floor(openFilesLimit() / 2)),
      perClient: config.maxConnectionsPerClient,
    },
    logger,
  );
  // SIGTERM/SIGINT: stop accepting, end the runs (each recorded as interrupted by the shutdown,
  // queued ones too; their sandboxes killed), answer the requests in flight, then close the
  // database. A second signal, or 15 s, ends the process regardless.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info('shutting down', { signal });
    // Not unref'd: it also keeps the process alive while runs end (the sandbox's waits do not).
    setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 15_000);
    http.close();
    http.closeIdleConnections();
    void engine
      .shutdown()
      .catch((err: unknown) => logger.error('stopping executions failed', { error: String(err) }))
      .then(() => {
        // Long-polls answered by the shutdown's state changes get a moment to be written.
        setTimeout(() => {
          http.closeAllConnections();
          // Logged before the database closes: every log line passes the redactor, which reads it.
          logger.info('stopped');
          void built
            .close()
            .catch(() => {})
            .then(() => process.exit(0));
        }, 200);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `Airlock failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
