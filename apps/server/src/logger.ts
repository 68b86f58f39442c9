/**
 * A small structured logger: one JSON object per line on stderr. Callers pass facts, never
 * secret values; `redact` in the server's composition may wrap it to scrub known secrets too.
 */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const log =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
    };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that keeps lines in memory, for tests that assert on what was (not) logged. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { ...createLogger((l) => lines.push(l)), lines };
}
