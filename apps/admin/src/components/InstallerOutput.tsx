import './Packages.css';

/** The installer's reasons for a failure (`@airlock/sandbox`), in words. */
const REASONS: Record<string, string> = {
  failed: 'pip could not install it',
  timeout: 'the install took too long and was stopped',
  rejected: 'what pip left behind broke the installer’s limits and was thrown away',
  invalid: 'the package specs were refused',
};

/** Why an install failed, in words (an unknown reason as the server named it). */
export function installFailureWords(reason: string): string {
  return REASONS[reason] ?? `it failed (${reason})`;
}

/**
 * `Package installation failed (pip): …output…` (the server's wording of a failed install) →
 * the reason, and the output after it; text not in that form is all output.
 */
export function splitInstallerDetail(text: string): { reason: string | undefined; output: string } {
  const m = /^Package installation failed \(([^)]*)\)(?::\s*|;\s*)?([\s\S]*)$/.exec(text);
  if (!m) return { reason: undefined, output: text };
  return { reason: m[1], output: m[2] ?? '' };
}

/**
 * What pip printed (redacted by the server before it was stored or sent), collapsed unless
 * `open`: it can be long, and the line above it says enough to start with.
 */
export function InstallerOutput({ output, open = false }: { output: string; open?: boolean }) {
  if (!output) return null;
  return (
    <details className="installer-output" open={open}>
      <summary>Installer output ({output.split('\n').length} lines)</summary>
      <pre className="code">{output}</pre>
    </details>
  );
}
