import { CopyButton } from './CopyButton';

/**
 * A ready-to-paste example of how an agent uses this profile's key: sign the script (v2:
 * timestamp + nonce + script), POST /execute, long-poll the result, and answer a script paused
 * in `llm.complete` as `/skill.md` does (the poll says `awaiting_llm` with the prompt; POST the
 * answer to `/respond`). The secret is read from the environment, so the snippet itself never
 * holds it.
 */
export function pythonSnippet(baseUrl: string): string {
  return `import hashlib, hmac, json, os, secrets, time, urllib.request

AIRLOCK = "${baseUrl}"
key_id, secret = os.environ["AIRLOCK_KEY"].split(":", 1)  # ark_…:…

def call(method, path, body=None, headers=None):
    req = urllib.request.Request(AIRLOCK + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req) as r:
        return json.load(r)

def answer_llm(prompt, model):
    """The script called llm.complete(prompt, model=model) and waits: ask your LLM here."""
    return "..."

script = 'print(sorted(settings.keys()))\\nset_result({"ok": True})'
ts, nonce = str(int(time.time())), secrets.token_hex(16)
sig = hmac.new(secret.encode(), f"AIRLOCK/2 EXECUTE\\n{ts}\\n{nonce}\\n{script}".encode(), hashlib.sha256).hexdigest()
started = call("POST", "/execute", {"script": script, "hash": sig, "timeout": 60}, {
    "Authorization": f"Bearer {key_id}",
    "X-Airlock-Timestamp": ts,
    "X-Airlock-Nonce": nonce,
})
run = started
while run["status"] not in ("completed", "error", "timeout"):
    if run["status"] == "awaiting_llm":  # paused in llm.complete: answer, and it runs on
        answer = answer_llm(run["prompt"], run["llm_request"]["model"])
        run = call("POST", f"/executions/{started['execution_id']}/respond", {"response": answer})
    run = call("GET", f"/executions/{started['execution_id']}?wait=30")
print(run["status"], run.get("result"), run.get("stdout"), run.get("error"))
`;
}

/** How an agent uses the key (the content of the profile page's "Give it to the agent" step). */
export function AgentSnippet({ keyId, requireV2 }: { keyId: string | null; requireV2: boolean }) {
  const base = window.location.origin;
  const code = pythonSnippet(base);
  return (
    <>
      <p>
        Store the key as <code>AIRLOCK_KEY</code> in the agent’s environment. It sends{' '}
        <code>Authorization: Bearer {keyId ?? 'ark_…'}</code> (the part before the colon) and signs
        each script with the secret (the part after it). The live guide for agents is at{' '}
        <a href="/skill.md">{base}/skill.md</a>.
      </p>
      <p className="help">
        When a script calls <code>llm.complete()</code>, the run pauses as <code>awaiting_llm</code>
        : the agent sees the prompt in its poll, asks its own LLM and posts the answer to{' '}
        <code>/executions/{'{id}'}/respond</code> (the snippet’s <code>answer_llm</code>). Until
        then the run shows here as waiting for the LLM.
      </p>
      {requireV2 ? (
        <p className="note">
          This profile requires v2 signatures: the timestamp and nonce headers are mandatory.
        </p>
      ) : (
        <p className="help">
          Older agents may sign v1 (<code>hash</code> = HMAC-SHA256 of the script alone, no
          headers); v2 below also stops replays.
        </p>
      )}
      <div className="snippet-head">
        <span>Python 3, standard library only</span>
        <CopyButton text={code} label="Copy snippet" />
      </div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable so keyboard users can scroll it (WCAG 2.1.1) */}
      <pre className="code" tabIndex={0} data-testid="agent-snippet">
        {code}
      </pre>
    </>
  );
}
