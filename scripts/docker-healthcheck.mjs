// The Docker image's HEALTHCHECK: exit 0 when GET /health answers 200 (the sandbox runs a test
// script), 1 otherwise. No curl in the image; Node's fetch does it. The port follows the server's
// own rule (AIRLOCK_PORT, then PORT, then 9090).
const port = process.env.AIRLOCK_PORT || process.env.PORT || '9090';
const url = `http://127.0.0.1:${port}/health`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(8000) });
  if (res.status !== 200) {
    console.error(
      `healthcheck: ${url} answered ${res.status}: ${(await res.text()).slice(0, 500)}`,
    );
    process.exit(1);
  }
  process.exit(0);
} catch (err) {
  console.error(`healthcheck: ${url} failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
