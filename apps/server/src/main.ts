import { SandboxUnavailableError } from '@airlock/sandbox';
import { VaultStartupError } from '@airlock/vault';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
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
    if (err instanceof VaultStartupError || err instanceof SandboxUnavailableError) {
      process.stderr.write(`Airlock cannot start: ${err.message}\n`);
      process.exit(3);
    }
    throw err;
  }
  const engine = built.deps.executions;
  scrub = (line) => engine.redactor().redactString(line).text;
  const app = createApp(built.deps);
  const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
    logger.info('airlock listening', {
      url: `http://${info.address === '0.0.0.0' ? 'localhost' : info.address}:${info.port}`,
      data_dir: config.dataDir,
    });
  });
  const stop = (signal: string) => {
    logger.info('shutting down', { signal });
    server.close(() => {
      built.close();
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5000).unref();
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
