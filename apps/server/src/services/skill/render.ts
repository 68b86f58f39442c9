/**
 * The agent's guide, as Markdown. `GET /skill.md` renders it live from the database (this
 * instance's URL and profiles); the repository's `SKILL.md` is the same text for an instance
 * not yet deployed. One function, so the two never drift apart.
 */

export interface SkillProfile {
  id: string;
  description: string;
  state: 'unlocked' | 'locked' | 'revoked' | 'expired';
  keyId: string | null;
  expiresAt: string | null;
  requireSignatureV2: boolean;
  /** Its network policy (`GET /profiles/{id}` has it too). */
  network: { mode: 'none' | 'allowlist' | 'open'; allow: string[] };
  credentials: {
    name: string;
    description: string;
    hasValue: boolean;
    /** Hosts of a brokered credential (its `settings` entry is a placeholder); null: injected. */
    brokeredTo: string[] | null;
  }[];
  /** Attached credentials not listed (see `GET /profiles/{id}`). */
  moreCredentials: number;
}

/** What an instance's guide lists: a bounded part of each, with counts of the rest. */
export interface SkillListing {
  profiles: SkillProfile[];
  /** Unrevoked profiles not listed. */
  moreProfiles: number;
  revokedProfiles: number;
  /** Credential slots with no profile. */
  unattached: { name: string; description: string; hasValue: boolean }[];
  moreUnattached: number;
}

export interface SkillInput {
  /** This instance's base URL, e.g. `https://airlock.example.com`. */
  baseUrl: string;
  /** The instance's profiles and slots, or null for the static file (no instance yet). */
  listing: SkillListing | null;
  maxTimeoutSeconds: number;
  defaultTimeoutSeconds: number;
  llmWaitLimitSeconds: number;
}

const fence = '```';

/** A profile's network policy in one line of the guide. */
function networkLine(n: SkillProfile['network']): string {
  if (n.mode === 'none') return 'none (scripts reach no host)';
  if (n.mode === 'open') return 'open (any public address; never loopback or private ranges)';
  const shown = n.allow.slice(0, 20).map((e) => `\`${e}\``);
  return `only ${shown.join(', ')}${n.allow.length > 20 ? `, … and ${n.allow.length - 20} more` : ''}`;
}

function profilesSection(input: SkillInput): string {
  const listing = input.listing;
  if (listing === null) {
    return [
      '## Profiles on this instance',
      '',
      'This is the static copy of this guide. Once Airlock runs, `GET /skill.md` on it lists the',
      'profiles you can use, their credential names and whether each has a value.',
    ].join('\n');
  }
  const lines = ['## Profiles on this instance', ''];
  if (listing.profiles.length === 0) {
    lines.push(
      'No profiles yet. Create one (`POST /profiles`), attach credential slots, and ask the user to lock it.',
    );
  }
  for (const p of listing.profiles) {
    lines.push(`### ${p.description ? p.description.replace(/\n/g, ' ') : '(no description)'}`, '');
    lines.push(`- id: \`${p.id}\``);
    lines.push(`- state: **${p.state}**${p.keyId ? ` (key id \`${p.keyId}\`)` : ''}`);
    if (p.expiresAt) lines.push(`- expires: ${p.expiresAt}`);
    if (p.requireSignatureV2) lines.push('- requires version 2 (replay-protected) signatures');
    lines.push(`- network: ${networkLine(p.network)}`);
    if (p.credentials.length === 0) lines.push('- credentials: none attached');
    else {
      lines.push('- credentials:');
      for (const c of p.credentials) {
        const brokered =
          c.brokeredTo === null
            ? ''
            : `; **brokered**: a placeholder, the value goes only to ${c.brokeredTo.map((h) => `\`${h}\``).join(', ')}`;
        lines.push(
          `  - \`${c.name}\`${c.description ? ` — ${c.description.replace(/\n/g, ' ')}` : ''} ${c.hasValue ? '(value set' : '(**no value yet**: ask the user to enter it in the admin UI'}${brokered})`,
        );
      }
      if (p.moreCredentials > 0)
        lines.push(`  - … and ${p.moreCredentials} more (\`GET /profiles/${p.id}\`)`);
    }
    lines.push('');
  }
  if (listing.moreProfiles > 0 || listing.revokedProfiles > 0) {
    lines.push(
      `${listing.moreProfiles > 0 ? `${listing.moreProfiles} more profiles are not listed here` : 'All usable profiles are listed'}${listing.revokedProfiles > 0 ? `; ${listing.revokedProfiles} revoked` : ''}: \`GET /profiles\` has them all.`,
      '',
    );
  }
  if (listing.unattached.length > 0) {
    lines.push('### Credential slots not attached to any profile', '');
    for (const c of listing.unattached)
      lines.push(`- \`${c.name}\` ${c.hasValue ? '(value set)' : '(no value yet)'}`);
    if (listing.moreUnattached > 0)
      lines.push(`- … and ${listing.moreUnattached} more (\`GET /credentials\`)`);
  }
  return lines.join('\n').trimEnd();
}

/** Renders the guide. */
export function renderSkill(input: SkillInput): string {
  const url = input.baseUrl;
  return `# Airlock: run code with credentials you never see

Airlock is a trust boundary between you (an AI agent) and production credentials. A person stores
secrets in Airlock; you get a **profile key** scoped to some of them; you send **Python code
signed with that key**; Airlock runs it in a confined sandbox with the credentials available as
\`settings\`, scrubs every secret from the output, and returns the result. You never see a
credential value, and you do not need to.

Instance: **${url}**

## The workflow

1. **Find out what exists:** \`GET ${url}/credentials\` and \`GET ${url}/profiles\` (no auth).
2. **Declare what you need:** \`POST ${url}/credentials\` with
   \`{"credentials":[{"name":"STRIPE_API_KEY","description":"read-only key"}]}\` creates empty
   slots (names: \`^[A-Za-z_][A-Za-z0-9_]*$\`, ≤128 chars). You cannot set values; the user does,
   in the admin UI.
3. **Make a profile:** \`POST ${url}/profiles\` with \`{"description":"what it is for"}\`, then
   \`POST ${url}/profiles/{id}/credentials\` with \`{"credentials":["STRIPE_API_KEY"]}\`. If
   its scripts must reach hosts, propose its network policy: \`PUT ${url}/profiles/{id}/network\`
   with \`{"mode":"allowlist","allow":["api.stripe.com"]}\` (below). Both are fixed at lock.
4. **Ask the user** to fill in the values and **lock** the profile in the admin UI (${url}/). Locking
   shows them the key \`ark_<key id>:<secret>\` once; they give it to you. Keep the secret out of
   prompts and logs: you only need it to sign.
5. **Run code:** \`POST ${url}/execute?wait=30\` (below): one request answers \`200\` with the
   finished result (or the LLM pause) when it comes within the wait, else \`202\`; then poll
   \`GET ${url}/executions/{id}?wait=30\`.
6. **Answer LLM pauses:** when a poll says \`awaiting_llm\`, answer with
   \`POST ${url}/executions/{id}/respond\` \`{"response":"..."}\`.

${profilesSection(input)}

## Inside the script

These globals exist in every script (no import needed):

| name | what |
|---|---|
| \`settings[NAME]\`, \`settings.get(NAME, default)\`, \`settings.keys()\`, \`NAME in settings\` | the profile's credentials that have values (read-only; a brokered one holds a placeholder) |
| \`set_result(value)\` | the JSON result of the execution; the last call wins; numbers come back exactly as Python writes them (big integers too); \`NaN\`/\`Infinity\` are refused |
| \`llm.complete(prompt, model="default") -> str\` | pauses; you answer via \`/respond\`; unanswered after ${input.llmWaitLimitSeconds} s, the execution ends with an error |
| \`print(...)\`, stderr | captured (bounded) and returned, with every secret replaced by \`[REDACTED:NAME]\` |

Scripts run in a fresh confined Python 3 process: no network unless the profile's policy allows it, a
private \`/tmp\` that vanishes after the run, limits on time (\`timeout\`, default
${input.defaultTimeoutSeconds} s, at most ${input.maxTimeoutSeconds} s), memory (for the run as a whole, child processes and
\`/tmp\` included, where \`GET ${url}/health\` shows \`sandbox.accounting.active\`), processes and output. Installed packages
(\`GET ${url}/requirements\`: those with \`"scope": "shared"\`, and those your profile installed) are
importable; a locked profile's key can install more **for its own scripts** with
\`POST ${url}/requirements\` \`{"packages":["httpx","pandas==2.2.*"]}\`, a signed request (below).
Another profile never sees them. A failed install (an unknown package, a build error, a package
that leaves special files or exceeds the size quota, the time limit) answers 422 with pip's
output in \`detail\` and changes nothing.

${fence}python
import httpx
r = httpx.get("https://api.stripe.com/v1/balance", auth=(settings["STRIPE_API_KEY"], ""))
data = r.json()
summary = llm.complete("Summarise this balance in one sentence: " + str(data["available"]))
set_result({"available": data["available"], "summary": summary})
${fence}

## Network

A profile's \`network\` is \`{"mode": "none" | "allowlist" | "open", "allow": [entries]}\`
(default \`none\`). An entry is \`host[:ports]\`: a DNS name (\`api.stripe.com\`), \`*.example.com\`
(subdomains, not the name itself), an IPv4 address, an IPv6 address in brackets, or a CIDR
(\`10.0.0.0/8\`); ports a number, a range \`8000-8100\` or a comma list; no ports means 443 and 80.
\`open\` reaches any public address. Names never reach loopback, private, link-local or cloud
metadata addresses, whatever they resolve to: list such an address as an IP or CIDR entry.
Airlock's own port is never reachable.

Ordinary code works unchanged: \`httpx\`, \`requests\`, \`urllib\` (\`HTTP(S)_PROXY\` is set to
Airlock's egress proxy) and plain TCP clients written in Python (\`socket.create_connection\`,
most database drivers). The script itself resolves no names: a name the policy cannot admit fails
at lookup with \`airlock: <name> is not in this profile's network policy\`. **A denied connection
says so**: HTTP clients get a \`403\` whose reason starts with \`Airlock egress denied:\` (for
HTTPS, \`Tunnel connection failed: 403 Airlock egress denied: …\`), plain TCP a
\`ConnectionRefusedError\` with the same text. Any other error is the network's. Every
finished execution's poll body lists its attempts: \`"network": [{"host", "port", "verdict":
"allowed" | "denied", "reason"}]\`. C libraries that open their own sockets (libpq, for example)
reach nothing; use a pure-Python driver (\`pg8000\`, \`pymysql\`, \`redis\`).

## Brokered credentials

A credential is delivered one of two ways (\`GET /credentials\` shows each one's \`delivery\`):
\`{"mode": "inject"}\` puts the value in \`settings[NAME]\` (and scrubs it from output);
\`{"mode": "broker", "hosts": [entries]}\` puts a **placeholder** there instead, a fresh string
per execution that keeps the value's prefix (\`sk_live_\`, \`ghp_\`) and is never the value. Use
it exactly where the value would go in an HTTP request to one of those hosts, over \`https://\`
or \`http://\`: a header (\`Authorization: Bearer <placeholder>\`, a custom header, Basic auth's
\`user:<placeholder>\`), the path or query, or a JSON or form body. Airlock's proxy swaps in the
value on the way out and scrubs it from the response, so the value never reaches your script.
Send the placeholder unchanged (hashing, signing or re-encoding it breaks the swap), and send the
\`Host\` of the host you connected to. Sent anywhere else it arrives as the placeholder. Each
request's \`network\` record lists \`"brokered": {"requests": [{"method", "status",
"substituted": [names]}]}\`; a placeholder seen going to a host it is not bound to shows in
\`"placeholders"\`. Brokering needs the hosts in the profile's network policy. A credential that
must be used as itself (a database password, an SSH key, request signing) is injected.

## Signing a request

Split the key on the first \`:\` into the **key id** (\`ark_…\`, 28 chars) and the **secret** (48
chars). Send \`Authorization: Bearer <key id>\` and a JSON body \`{"script": "...", "hash": "...",
"timeout": 60}\`.

- **Version 2 (use this; replay-protected):** headers \`X-Airlock-Timestamp\` (Unix seconds) and
  \`X-Airlock-Nonce\` (16+ random bytes as lowercase hex, 32–128 chars, fresh per request);
  \`hash\` = lowercase hex HMAC-SHA256(key = secret, message = "AIRLOCK/2 EXECUTE\\n" + timestamp
  + "\\n" + nonce + "\\n" + script), all UTF-8. Timestamps more than 300 s from the server's
  clock are refused. Retrying the same request (same nonce) returns the original execution
  instead of running it again.
- **Version 1 (existing agents):** \`hash\` = lowercase hex HMAC-SHA256(key = secret, message =
  script). No replay protection; an admin can require version 2 per profile. A version-1 script
  may not start with \`AIRLOCK/\` (signed messages do).
- **Signed requests** (\`GET /executions\`, \`POST /requirements\`: a key id is public, so these
  need proof of the secret): \`Authorization: Bearer <key id>\`, \`X-Airlock-Timestamp\`,
  \`X-Airlock-Nonce\` (fresh per request) and \`X-Airlock-Signature\` = lowercase hex
  HMAC-SHA256(key = secret, message = "AIRLOCK/2 REQUEST\\n" + METHOD + "\\n" + path with query
  as sent + "\\n" + lowercase hex SHA-256 of the body bytes (of nothing for a GET) + "\\n" +
  timestamp + "\\n" + nonce).

${fence}python
import hashlib, hmac, json, os, time, urllib.request

AIRLOCK = "${url}"
KEY = os.environ["AIRLOCK_KEY"]            # "ark_<key id>:<secret>", given to you by the user
key_id, secret = KEY.split(":", 1)

def execute(script: str, timeout: int = 60) -> dict:
    ts, nonce = str(int(time.time())), os.urandom(16).hex()
    msg = f"AIRLOCK/2 EXECUTE\\n{ts}\\n{nonce}\\n{script}".encode()
    digest = hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()
    req = urllib.request.Request(
        f"{AIRLOCK}/execute",
        data=json.dumps({"script": script, "hash": digest, "timeout": timeout}).encode(),
        headers={"Authorization": f"Bearer {key_id}", "Content-Type": "application/json",
                 "X-Airlock-Timestamp": ts, "X-Airlock-Nonce": nonce},
    )
    execution = json.load(urllib.request.urlopen(req))
    while True:  # long-poll: each request returns as soon as the status changes
        with urllib.request.urlopen(f"{execution['poll_url']}?wait=30") as r:
            state = json.load(r)
        if state["status"] == "awaiting_llm":
            answer = "..."  # ask your LLM: state["prompt"]
            urllib.request.urlopen(urllib.request.Request(
                f"{AIRLOCK}/executions/{state['execution_id']}/respond",
                data=json.dumps({"response": answer}).encode(),
                headers={"Content-Type": "application/json"}))
        elif state["status"] in ("completed", "error", "timeout"):
            return state

def signed(method: str, path: str, body: bytes = b"") -> dict:
    """A request that proves the key secret: GET /executions, POST /requirements."""
    ts, nonce = str(int(time.time())), os.urandom(16).hex()
    msg = f"AIRLOCK/2 REQUEST\\n{method}\\n{path}\\n{hashlib.sha256(body).hexdigest()}\\n{ts}\\n{nonce}"
    sig = hmac.new(secret.encode(), msg.encode(), hashlib.sha256).hexdigest()
    headers = {"Authorization": f"Bearer {key_id}", "X-Airlock-Timestamp": ts,
               "X-Airlock-Nonce": nonce, "X-Airlock-Signature": sig}
    if body:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(f"{AIRLOCK}{path}", data=body or None, method=method, headers=headers)
    return json.load(urllib.request.urlopen(req))

print(execute("print('hello from Airlock'); set_result(sorted(settings.keys()))"))
print(signed("GET", "/executions?limit=5"))
${fence}

${fence}bash
KEY_ID="\${AIRLOCK_KEY%%:*}"; SECRET="\${AIRLOCK_KEY#*:}"
SCRIPT='print("hello"); set_result(1 + 1)'
TS=$(date +%s); NONCE=$(openssl rand -hex 16)
HASH=$(printf 'AIRLOCK/2 EXECUTE\\n%s\\n%s\\n%s' "$TS" "$NONCE" "$SCRIPT" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')
curl -s -X POST ${url}/execute \\
  -H "Authorization: Bearer $KEY_ID" -H "Content-Type: application/json" \\
  -H "X-Airlock-Timestamp: $TS" -H "X-Airlock-Nonce: $NONCE" \\
  -d "$(jq -n --arg s "$SCRIPT" --arg h "$HASH" '{script: $s, hash: $h, timeout: 60}')"
# version 1 instead: HASH=$(printf '%s' "$SCRIPT" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')
${fence}

${fence}bash
# A signed request: list this profile's executions.
KEY_ID="\${AIRLOCK_KEY%%:*}"; SECRET="\${AIRLOCK_KEY#*:}"
TARGET='/executions?limit=5'; TS=$(date +%s); NONCE=$(openssl rand -hex 16)
BODY_SHA=$(printf '' | openssl dgst -sha256 -hex | sed 's/^.* //')
SIG=$(printf 'AIRLOCK/2 REQUEST\\nGET\\n%s\\n%s\\n%s\\n%s' "$TARGET" "$BODY_SHA" "$TS" "$NONCE" \\
  | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')
curl -s "${url}$TARGET" -H "Authorization: Bearer $KEY_ID" \\
  -H "X-Airlock-Timestamp: $TS" -H "X-Airlock-Nonce: $NONCE" -H "X-Airlock-Signature: $SIG"
${fence}

## What you get back

\`POST /execute\` → \`202 {"execution_id", "poll_url", "status": "pending"}\` (200 with the
original for a retried version-2 request). \`GET /executions/{id}\`:

- \`pending\`, \`running\`: \`{execution_id, status}\`
- \`awaiting_llm\`: also \`llm_request: {prompt, model}\` and \`prompt\`
- \`completed\`, \`error\`, \`timeout\`: \`{execution_id, status, result, stdout, stderr, error,
  execution_time_ms}\`; \`error\` holds the Python traceback or the reason (timeout, memory limit,
  output limit, interrupted by a restart). A stream longer than the output limit ends with
  \`[output truncated: ...]\`.

\`GET /executions\` (a signed request) lists your profile's executions.

**Live output:** \`GET /executions/{id}/events\` is a Server-Sent Events stream: \`status\`,
\`llm_request\`, \`stdout\` and \`stderr\` (\`{"text"}\`, redacted as produced; the last 512 bytes of
each stream wait until more follows or the run ends), then \`end\` with the poll body above, and
the stream closes. Each event has an id: reconnect with \`Last-Event-ID\` to resume.

**The fastest path:** sign once, \`POST /execute?wait=60\`: a script that finishes within a
minute answers in that one request (\`200\` with the poll body). Otherwise (\`202\`, or
\`awaiting_llm\`), \`GET\` the \`poll_url\` with \`?wait=30\` (or follow the events stream) and
answer LLM pauses with \`POST /executions/{id}/respond\`. From a shell, \`airlock exec\` does all
of it; from an MCP client, \`airlock mcp\`.

## Errors and what to do

Every error is JSON \`{"detail": "...", "code": "...", "request_id": "..."}\`.

| status | detail | what to do |
|---|---|---|
| 401 | \`Missing authentication token\` / \`Invalid authentication token\` | send \`Authorization: Bearer ark_<key id>\` (the part before \`:\`) |
| 401 | \`Invalid profile key\` | the key id is unknown or was regenerated: ask the user for the current key |
| 401 | \`Profile has been revoked\` | permanent: ask the user for a new profile |
| 401 | \`Profile has expired\` | ask the user to extend the profile's expiry |
| 403 | \`Script hash verification failed — HMAC mismatch\` | sign exactly the script you send, with the secret, lowercase hex |
| 403 | \`X-Airlock-Timestamp is more than 300 seconds…\` | fix your clock; use the current Unix time |
| 403 | \`This profile requires replay-protected (version 2) signatures…\` | sign with version 2 |
| 401 | \`Missing request signature…\` | \`GET /executions\` and \`POST /requirements\` need a signed request, not only the key id |
| 403 | \`Request signature verification failed\` | sign METHOD, the path with query exactly as sent, the body's SHA-256, timestamp and nonce |
| 403 | \`X-Airlock-Nonce was already used: sign each request with a fresh nonce\` | a signed request cannot be replayed; sign it again |
| 404 | \`Profile '<id>' not found\`, \`Credential '<name>' not found\`, \`Execution '<id>' not found\` | check the id or name |
| 409 | \`Cannot modify credentials on a locked profile\` | locked profiles are fixed; create a new profile |
| 409 | \`Cannot modify the network policy of a locked profile\` | the same: the policy is fixed at lock |
| 409 | \`Execution is '<status>', not 'awaiting_llm'\` | only answer while a poll says \`awaiting_llm\` |
| 409 | \`X-Airlock-Nonce was already used for a different script\` | use a fresh nonce for every new request |
| 413 / 422 | body too large / validation details (\`detail\` is a list of \`{loc, msg}\`) | fix the request |
| 429 | \`Too many executions are queued\` | wait \`Retry-After\` seconds and retry (same nonce is safe) |

## Limits of the promise

Redaction catches a value printed as is, in tracebacks, JSON, Python reprs, URL encodings, base64
and hex. It does not make a script that deliberately disguises a value safe; that is why scripts
only get their own profile's credentials and every run is recorded for the user.
`;
}
