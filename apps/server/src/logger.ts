/**
 * A small structured logger: one JSON object per line on stderr. Callers pass facts, never
 * secret values; `main.ts` also passes every line through the redactor (`scrub`), so a secret
 * that slips into an error message is masked in the log too.
 */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(
  write: (line: string) => void = (l) => process.stderr.write(l),
  scrub: (line: string) => string = (l) => l,
): Logger {
  const log =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
      let safe: string;
      try {
        safe = scrub(line);
      } catch {
        // Fail closed: a line that could not be redacted is not written.
        safe = JSON.stringify({
          time: new Date().toISOString(),
          level,
          msg: 'log line withheld: redaction failed',
        });
      }
      write(`${safe}\n`);
    };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that keeps lines in memory, for tests that assert on what was (not) logged. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { ...createLogger((l) => lines.push(l)), lines };
}
