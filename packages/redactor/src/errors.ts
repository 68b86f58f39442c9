/**
 * Errors of the redactor. Neither ever carries input or secret data in its message: callers log
 * them as they are.
 */

/**
 * Redaction could not be completed, so no output may be released: the caller must withhold the
 * whole output (including any text an earlier `write()` of the same stream returned) and report
 * something like "output withheld: redaction failed".
 */
export class RedactionError extends Error {
  readonly code = 'REDACTION_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'RedactionError';
  }
}

/** The redactor was configured with invalid secrets or options (a startup-time mistake). */
export class RedactorConfigError extends Error {
  readonly code = 'REDACTOR_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'RedactorConfigError';
  }
}

/**
 * Runs `fn`; any exception becomes a {@link RedactionError} (named after the original error's
 * class only, never its message, which could quote data).
 */
export function failClosed<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RedactionError) throw err;
    const kind = err instanceof Error ? err.name : typeof err;
    throw new RedactionError(`${what} failed (${kind}); output withheld`);
  }
}
