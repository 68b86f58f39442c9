// A first execution against a running Airlock, end to end, the way an agent does it: the admin
// stores a credential and locks a profile; the "agent" signs and submits scripts and polls them.
// Checks that the credential is usable and redacted, that a timeout kills the script (the server
// signals a process of another uid) and, with SMOKE_PACKAGE=name==version (a wheel reachable
// through AIRLOCK_PIP_FIND_LINKS), that a confined package install works and scripts import it.
//
// Usage, from a built checkout (it signs with packages/auth/dist):
//   node scripts/docker-smoke.mjs http://localhost:9090 <admin password>
// Used by scripts/check-deploy.sh; also a quick test of a Docker or platform deployment (it
// leaves a credential SMOKE_<time> and a locked profile behind: revoke or delete them after).
const [base, password] = process.argv.slice(2);
if (!base || !password) {
  console.error('usage: node scripts/docker-smoke.mjs <base url> <admin password>');
  process.exit(2);
}
const { signApiRequest, signV2 } = await import(
  new URL('../packages/auth/dist/index.js', import.meta.url).href
);

async function api(method, path, body, headers = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { raw: text.slice(0, 500) };
  }
  return { status: res.status, json };
}

function expect(condition, message, detail) {
  if (!condition) {
    console.error(`smoke: ${message}${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}`);
    process.exit(1);
  }
}

const login = await api('POST', '/api/admin/login', { password });
expect(login.status === 200, 'admin login failed', login);
const admin = { authorization: `Bearer ${login.json.token}` };

const value = `smoke-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
// A fresh name per run, so the smoke can run again against the same instance.
const name = `SMOKE_${Date.now().toString(36).toUpperCase()}`;
const cred = await api('POST', '/api/admin/credentials', { name, value }, admin);
expect(cred.status === 200 || cred.status === 201, 'creating the credential failed', cred);
const profile = await api('POST', '/profiles', {});
expect(profile.status === 200 || profile.status === 201, 'creating a profile failed', profile);
const attach = await api('POST', `/profiles/${profile.json.id}/credentials`, {
  credentials: [name],
});
expect(attach.status === 200, 'attaching the credential failed', attach);
// Lock what was attached (the server refuses if the profile changed since).
const locked = await api(
  'POST',
  `/api/admin/profiles/${profile.json.id}/lock`,
  { credentials: [name] },
  admin,
);
expect(locked.status === 200, 'locking the profile failed', locked);
const [keyId, secret] = locked.json.key.split(':');
const agent = { authorization: `Bearer ${keyId}` };

async function run(script, extra = {}) {
  const signed = signV2(secret, script);
  const submitted = await api(
    'POST',
    '/execute',
    { script, hash: signed.hash, ...extra },
    { ...agent, ...signed.headers },
  );
  expect(submitted.status === 200 || submitted.status === 202, 'submit failed', submitted);
  for (let i = 0; i < 10; i++) {
    const r = await api(
      'GET',
      `/executions/${submitted.json.execution_id}?wait=30`,
      undefined,
      agent,
    );
    if (!['pending', 'running', 'awaiting_llm'].includes(r.json?.status)) return r.json;
  }
  expect(false, 'execution did not finish');
}

const first = await run(
  `print("token is", settings["${name}"])\nset_result(len(settings["${name}"]))`,
);
expect(first.status === 'completed', 'the first execution did not complete', first);
expect(first.result === value.length, 'wrong result', first.result);
expect(first.stdout.includes(`[REDACTED:${name}]`), 'stdout is not redacted', first.stdout);
expect(!JSON.stringify(first).includes(value), 'the secret value leaked into the execution');
console.log(`smoke: execution completed, output redacted (${first.stdout.trim()})`);

const slow = await run('import time\nprint("sleeping", flush=True)\ntime.sleep(60)', {
  timeout: 1,
});
expect(slow.status === 'timeout', 'a 1 s timeout did not stop the script', slow);
console.log('smoke: a 1 s timeout stopped a sleeping script');

const pkg = process.env.SMOKE_PACKAGE;
if (pkg) {
  // Installing is a signed request: the key id alone does not prove the key.
  const body = { packages: [pkg] };
  const proof = signApiRequest(secret, {
    method: 'POST',
    target: '/requirements',
    body: JSON.stringify(body),
  });
  const installed = await api('POST', '/requirements', body, { ...agent, ...proof.headers });
  expect(installed.status === 200, `installing ${pkg} failed`, installed);
  const module = pkg.split('==')[0].replaceAll('-', '_');
  // A regular package has a __file__; an unreadable one would import as an empty namespace.
  const used = await run(`import ${module}\nset_result(${module}.__file__ is not None)`);
  expect(
    used.status === 'completed' && used.result === true,
    `${module} is not importable (as a regular package) from a script`,
    used,
  );
  console.log(`smoke: installed ${pkg} confined and imported it from a script`);
}
console.log('smoke: ok');
