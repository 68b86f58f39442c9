/** Usage texts for `airlock --help` and each command's `--help`. */

export const MAIN_HELP = `airlock: run a signed Python script on an Airlock server

Usage:
  airlock exec <file.py|-> [options]   sign, submit and wait for a script
  airlock status [options]             server health and your recent executions
  airlock mcp [options]                an MCP server on stdio for agents (Claude Code, …)
  airlock help [exec|status|mcp]       more about a command
  airlock --version

Environment:
  AIRLOCK_KEY   profile key ark_<key id>:<secret> (prefer this to --key: argv is visible to ps)
  AIRLOCK_URL   server URL (default http://localhost:9090)

Exit codes:
  0  completed          1  the script failed (error)    2  the script timed out
  3  usage or configuration error (bad option, no key, unreadable file, unanswerable prompt)
  4  server or auth error (refused key or signature, HTTP error, server unreachable)
  130  interrupted (Ctrl-C); the execution goes on on the server
`;

export const EXEC_HELP = `Usage: airlock exec <file.py|-> [options]

Signs the script (version 2, replay-protected, unless --v1), submits it, waits for it to finish
and prints its stdout to stdout, its stderr to stderr, then the result as pretty JSON on stdout
(nothing when the result is null). On failure the traceback or reason goes to stderr.
Use - to read the script from stdin.

Options:
  -k, --key KEY          profile key ark_<key id>:<secret> (default: $AIRLOCK_KEY)
  -u, --url URL          server URL (default: $AIRLOCK_URL or http://localhost:9090)
  -t, --timeout N        the script's time limit in seconds (server default 60, bounded by it)
      --v1               sign with version 1 (no replay protection; retried only if never sent)
      --json             print only the final poll object as JSON on stdout
                         ({execution_id, status, result, stdout, stderr, error, execution_time_ms});
                         a failure prints {"error": {message, exit_code, status, code, request_id}}
      --llm-answer TEXT  answer every llm.complete with TEXT
      --llm-command CMD  answer with the stdout of "sh -c CMD" (one trailing newline removed);
                         the prompt is its stdin, $AIRLOCK_LLM_MODEL the model, AIRLOCK_KEY removed
  -v, --verbose          progress lines on stderr (execution id, LLM pauses, timing)
  -h, --help             this text

Without --llm-answer or --llm-command, and with stdin a terminal (and not the script), a pause
shows the prompt on stderr and reads the answer from stdin up to an empty line or Ctrl-D.
Otherwise a pause is an error (exit 3) and the execution is left waiting.

Exit codes: 0 completed, 1 error, 2 timeout, 3 usage/configuration, 4 server/auth/network,
130 interrupted.

Examples:
  export AIRLOCK_KEY=ark_…:…
  airlock exec job.py --timeout 120
  echo 'set_result(sorted(settings.keys()))' | airlock exec - --json
  airlock exec summarise.py --llm-command 'llm -m gpt-4o-mini'
`;

export const STATUS_HELP = `Usage: airlock status [options]

Shows the server's version, sandbox backend and whether it works, and its queue. With a key
(--key or $AIRLOCK_KEY: the whole key, listing is signed) also the profile's recent executions.
Exit 0 when the server is up and its sandbox works, 4 otherwise.

Options:
  -k, --key KEY     profile key ark_<key id>:<secret>
  -u, --url URL     server URL (default: $AIRLOCK_URL or http://localhost:9090)
  -n, --limit N     how many executions to list (1..100, default 10)
      --json        print {url, http_status, health, executions?} as JSON
  -h, --help        this text
`;

export const MCP_HELP = `Usage: airlock mcp [options]

Serves the Model Context Protocol on stdin/stdout for an agent's MCP client, acting with one
profile key. Tools: run_python {script, timeout?}, answer_llm {execution_id, text},
describe_profile, install_packages {packages}. Resource: airlock://skill.md (the instance's
agent guide, fetched live). The key secret only signs requests: it never appears in a tool
result, an error or a log line. Messages go to stderr; stdout carries only the protocol.

Options:
  -k, --key KEY     profile key ark_<key id>:<secret> (default: $AIRLOCK_KEY; prefer the variable)
  -u, --url URL     server URL (default: $AIRLOCK_URL or http://localhost:9090)
  -h, --help        this text

Exits 0 when the client closes stdin, 3 at once on a missing or malformed key or URL.

Setup (Claude Code):
  claude mcp add airlock -e AIRLOCK_URL=http://localhost:9090 \\
    -e AIRLOCK_KEY='ark_…:…' -- airlock mcp
`;
