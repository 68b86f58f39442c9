#!/usr/bin/env bash
# Checks the Docker and deploy files as far as a machine without a Docker engine can:
#   - the Dockerfile: base images pinned by tag, every COPY source and every script it runs exists
#     in the build context, every COPY --from names an earlier stage, the runtime stage exposes
#     9090, declares /data, has a HEALTHCHECK, runs under tini;
#   - .dockerignore: the build context it leaves (computed from the files git knows, with Docker's
#     pattern rules) is copied to a temporary directory and the image's build command is run there
#     (so anything the build needs but .dockerignore drops fails here), then
#     scripts/docker-assemble.sh lays out the runtime tree as the image does;
#   - the image's start command (CMD, with the image's ENV, a temporary data directory and a free
#     port) is run from that tree: /health must answer 200 with a working sandbox, the admin UI
#     must be served, the HEALTHCHECK script must pass (and fail against a closed port), and
#     SIGTERM must stop it cleanly; as root it is run again with only the capabilities and the
#     no_new_privs flag docker-compose.yml grants, and scripts/docker-smoke.mjs does a first
#     execution against it (redacted credential, timeout kill, confined install of a local wheel
#     that a script then imports);
#   - docker-compose.yml and deploy/render.yaml parse as YAML (python3's yaml module, Debian
#     python3-yaml), deploy/fly.toml and deploy/railway.toml as TOML (tomllib), and each mounts a
#     persistent /data, checks /health and points at the Dockerfile; docs/docker.md's `docker run`
#     line grants the same options as docker-compose.yml.
# Not checked (no Docker engine, no network): that the image builds, that nsjail compiles, that
# the production-only install resolves every runtime import, the platforms themselves.
#
# Usage: bash scripts/check-deploy.sh   (about 1-2 minutes; needs bubblewrap, python3, the
# workspace's node_modules from `pnpm install`). Prints "N passed, M failed"; exits 1 on failure.
# The bash -c and python3 -c snippets below are single-quoted on purpose.
# shellcheck disable=SC2016
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

passed=0
failed=0
pass() {
  passed=$((passed + 1))
  echo "ok   $1"
}
fail() {
  failed=$((failed + 1))
  echo "FAIL $1"
  if [ -n "${2:-}" ]; then printf '%s\n' "$2" | sed 's/^/     /'; fi
}
# check NAME COMMAND...: runs the command, passes when it exits 0, shows its output otherwise.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$out"; fi
}

# A python3 with the yaml module (Debian's python3-yaml) for the YAML files and the helpers.
PY=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" > /dev/null && "$candidate" -c 'import yaml, tomllib' 2> /dev/null; then
    PY=$candidate
    break
  fi
done
if [ -z "$PY" ]; then
  echo "check-deploy: needs a python3 (3.11+) with the yaml module: apt-get install -y python3-yaml" >&2
  exit 1
fi

if [ ! -d node_modules ] || ! command -v bwrap > /dev/null; then
  echo "check-deploy: needs the workspace's node_modules and bubblewrap: bash scripts/setup.sh" >&2
  exit 1
fi

WORK=$(mktemp -d /tmp/airlock-check-deploy.XXXXXX)
# Traversable by the sandbox's uids (the runtime tree and the data directory live below).
chmod 0711 "$WORK"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2> /dev/null; then
    kill -KILL "$SERVER_PID" 2> /dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The Dockerfile and .dockerignore parsers, shared by the checks below.
cat > "$WORK/lib.py" << 'PYEOF'
import json, os, re, shlex, sys

def instructions(path="Dockerfile"):
    """[(stage index, INSTRUCTION, rest)] with continuation lines joined and comments dropped."""
    lines, cur = [], ""
    for raw in open(path, encoding="utf8"):
        line = raw.rstrip("\n")
        if not cur and (line.strip().startswith("#") or not line.strip()):
            continue
        if line.strip().startswith("#"):
            continue
        if line.endswith("\\"):
            cur += line[:-1] + " "
            continue
        cur += line
        lines.append(cur.strip())
        cur = ""
    out, stage = [], -1
    for l in lines:
        word, _, rest = l.partition(" ")
        word = word.upper()
        if word == "FROM":
            stage += 1
        out.append((stage, word, rest.strip()))
    return out

def stages(path="Dockerfile"):
    """[(name or None, image)] in order."""
    result = []
    for _, word, rest in instructions(path):
        if word == "FROM":
            parts = [p for p in rest.split() if not p.startswith("--")]
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            result.append((name, parts[0]))
    return result

def global_args(path="Dockerfile"):
    args = {}
    for stage, word, rest in instructions(path):
        if word == "ARG" and stage == -1 and "=" in rest:
            k, v = rest.split("=", 1)
            args[k] = v
    return args

def stage_chain(name, path="Dockerfile"):
    """The stage and the stages it is built FROM, base first."""
    st = stages(path)
    names = [n for n, _ in st]
    chain, cur = [], names.index(name)
    while True:
        chain.insert(0, cur)
        image = st[cur][1]
        if image in names[:cur]:
            cur = names.index(image)
        else:
            return chain

def env_of(name, path="Dockerfile"):
    env = {}
    chain = stage_chain(name, path)
    for stage, word, rest in instructions(path):
        if word == "ENV" and stage in chain:
            for tok in shlex.split(rest):
                k, _, v = tok.partition("=")
                env[k] = v
    return env

def last(word, name, path="Dockerfile"):
    chain = stage_chain(name, path)
    found = None
    for stage, w, rest in instructions(path):
        if w == word and stage in chain:
            found = rest
    return found

def ignore_rules(path=".dockerignore"):
    rules = []
    for line in open(path, encoding="utf8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        neg = line.startswith("!")
        pat = line[1:].strip() if neg else line
        pat = os.path.normpath(pat).lstrip("/")
        rx, i = "", 0
        while i < len(pat):
            if pat.startswith("**/", i):
                rx += "(?:.*/)?"
                i += 3
            elif pat.startswith("**", i):
                rx += ".*"
                i += 2
            elif pat[i] == "*":
                rx += "[^/]*"
                i += 1
            elif pat[i] == "?":
                rx += "[^/]"
                i += 1
            else:
                rx += re.escape(pat[i])
                i += 1
        rules.append((neg, re.compile("^" + rx + "$")))
    return rules

def excluded(rel, rules):
    """Docker's rule: a path is excluded when it or a parent directory matches; last match wins."""
    parts = rel.split("/")
    result = False
    for neg, rx in rules:
        if any(rx.match("/".join(parts[:k])) for k in range(1, len(parts) + 1)):
            result = not neg
    return result
PYEOF
lib() { PYTHONPATH="$WORK" "$PY" -c "from lib import *; $1" "${@:2}"; }

# --- Dockerfile -------------------------------------------------------------------------------

check "Dockerfile: every base image is pinned by a tag (not latest) or is an earlier stage" lib '
args = global_args()
seen, bad = [], []
for name, image in stages():
    resolved = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), "?"), image)
    if image not in seen and (":" not in resolved or resolved.endswith(":latest") or "?" in resolved):
        bad.append(f"{image} -> {resolved}")
    if name: seen.append(name)
print("\n".join(bad)); sys.exit(1 if bad else 0)'

check "Dockerfile: every COPY --from names an earlier stage" lib '
st, bad, n = stages(), [], 0
for stage, word, rest in instructions():
    m = re.search(r"--from=(\S+)", rest) if word == "COPY" else None
    if m:
        n += 1
        if m.group(1) not in [name for name, _ in st[:stage]]: bad.append(rest)
print("\n".join(bad) or f"{n} copies"); sys.exit(1 if bad else 0)'

check "Dockerfile: every COPY source exists in the build context (.dockerignore applied)" lib '
rules, bad, n = ignore_rules(), [], 0
for stage, word, rest in instructions():
    if word != "COPY" or "--from=" in rest: continue
    srcs = [t for t in rest.split() if not t.startswith("--")][:-1]
    for s in srcs:
        n += 1
        path = os.path.normpath(s)
        if not os.path.exists(path): bad.append(f"{s}: does not exist")
        elif path != "." and excluded(path, rules): bad.append(f"{s}: excluded by .dockerignore")
print("\n".join(bad) or f"{n} sources"); sys.exit(1 if bad or n == 0 else 0)'

check "Dockerfile: every script it runs exists and is not excluded by .dockerignore" lib '
rules, bad, found = ignore_rules(), [], set()
for stage, word, rest in instructions():
    if word in ("RUN", "CMD", "HEALTHCHECK", "ENTRYPOINT"):
        found |= set(re.findall(r"scripts/[\w.-]+", rest))
for s in sorted(found):
    if not os.path.isfile(s) or excluded(s, rules): bad.append(s)
print("\n".join(bad) or ", ".join(sorted(found))); sys.exit(1 if bad or not found else 0)'

check "Dockerfile: the image (last stage) exposes 9090, declares /data, has a HEALTHCHECK, runs under tini" lib '
final = stages()[-1][0]
problems = []
if "9090" not in (last("EXPOSE", final) or ""): problems.append("EXPOSE 9090 missing")
if "/data" not in (last("VOLUME", final) or ""): problems.append("VOLUME /data missing")
if "CMD" not in (last("HEALTHCHECK", final) or ""): problems.append("HEALTHCHECK missing")
if "tini" not in (last("ENTRYPOINT", final) or ""): problems.append("ENTRYPOINT tini missing")
if env_of(final).get("AIRLOCK_DATA_DIR") != "/data": problems.append("ENV AIRLOCK_DATA_DIR=/data missing")
print("\n".join(problems)); sys.exit(1 if problems else 0)'

check "Dockerfile: the pnpm it installs is the version package.json pins" bash -c '
v=$(node -p "require(\"./package.json\").packageManager.split(\"@\")[1]")
grep -q "packageManager.split(.@.)\[1\]" Dockerfile && [ -n "$v" ] && echo "pnpm $v"'

# --- the build context, the build and the runtime tree -----------------------------------------

CTX="$WORK/context"
OUT="$WORK/app"
mkdir -p "$CTX"
# The files a `docker build .` from a clean checkout of this tree would send: what git tracks or
# would track (untracked, not ignored), minus .dockerignore.
git ls-files -z --cached --others --exclude-standard |
  PYTHONPATH="$WORK" "$PY" -c '
import os, sys
from lib import ignore_rules, excluded
rules = ignore_rules()
paths = [p for p in sys.stdin.buffer.read().decode().split("\0") if p]
keep = [p for p in paths if os.path.isfile(p) and not excluded(p, rules)]
sys.stdout.write("\0".join(keep))' > "$WORK/context.list"
tar -C "$ROOT" --null -T "$WORK/context.list" -cf - | tar -C "$CTX" -xf -
check "build context: .dockerignore keeps the lockfile, manifests and sources, drops node_modules/dist/.git" bash -c '
cd "$1"
for f in pnpm-lock.yaml pnpm-workspace.yaml package.json .npmrc turbo.json packages/sandbox/runtime/airlock_runtime.py packages/db/drizzle/0000_init.sql; do
  [ -f "$f" ] || { echo "missing from the context: $f"; exit 1; }
done
left=$(find . \( -name node_modules -o -name dist -o -name .git -o -name .turbo \) -print -quit)
[ -z "$left" ] || { echo "should have been excluded: $left"; exit 1; }
echo "$(find . -type f | wc -l) files"' _ "$CTX"

# The dependencies come from this checkout's install (the image runs `pnpm install
# --frozen-lockfile`): the root node_modules is linked, the per-package symlink farms copied.
ln -s "$ROOT/node_modules" "$CTX/node_modules"
for d in apps/* packages/* bench; do
  if [ -d "$ROOT/$d/node_modules" ] && [ -d "$CTX/$d" ]; then cp -a "$ROOT/$d/node_modules" "$CTX/$d/"; fi
done
build_cmd=$(lib 'print(next(r for s, w, r in instructions() if w == "RUN" and "turbo run build" in r))')
check "build: the Dockerfile's build command succeeds in the build context ($build_cmd)" bash -c '
cd "$1" && TURBO_TELEMETRY_DISABLED=1 CI=true bash -c "$2"' _ "$CTX" "$build_cmd"

check "assemble: scripts/docker-assemble.sh lays out the runtime tree" \
  bash "$CTX/scripts/docker-assemble.sh" --link-node-modules "$CTX" "$OUT"

# --- the start command --------------------------------------------------------------------------

FINAL=$(lib 'print(stages()[-1][0])')
mapfile -t CMD < <(lib 'print("\n".join(json.loads(last("CMD", sys.argv[1]))))' "$FINAL")
mapfile -t IMAGE_ENV < <(lib 'print("\n".join(f"{k}={v}" for k, v in env_of(sys.argv[1]).items()))' "$FINAL")
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_server LOG [PREFIX...]: runs the image's CMD from the runtime tree with the image's ENV,
# a data directory under $WORK, a free port, and sandbox uids no test suite uses.
start_server() {
  local log=$1
  shift
  PORT_IN_USE=$(free_port)
  (
    cd "$OUT"
    exec env -i PATH="$PATH" HOME="${HOME:-/root}" "${IMAGE_ENV[@]}" \
      AIRLOCK_DATA_DIR="$WORK/data" AIRLOCK_HOST=127.0.0.1 AIRLOCK_PORT="$PORT_IN_USE" \
      AIRLOCK_SANDBOX_UID_BASE=69000 AIRLOCK_SANDBOX_INSTALLER_UID=68999 \
      "$@" "${CMD[@]}"
  ) > "$log" 2>&1 &
  SERVER_PID=$!
}
# wait_health: up to 90 s for GET /health to answer 200 with status "ok".
wait_health() {
  local _
  for _ in $(seq 1 180); do
    if ! alive; then return 1; fi
    if node -e 'fetch(process.argv[1]).then(async (r) => { const b = await r.json(); process.exit(r.status === 200 && b.status === "ok" && b.sandbox.ok ? 0 : 1); }, () => process.exit(1))' \
      "http://127.0.0.1:$PORT_IN_USE/health" 2> /dev/null; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}
# stop_server: SIGTERM, then it must exit 0 within 10 s (a timer SIGKILLs it otherwise).
stop_server() {
  local code=0 timer
  kill -TERM "$SERVER_PID"
  (sleep 10 && kill -KILL "$SERVER_PID" 2> /dev/null) &
  timer=$!
  wait "$SERVER_PID" || code=$?
  kill "$timer" 2> /dev/null || true
  wait "$timer" 2> /dev/null || true
  SERVER_PID=""
  if [ "$code" != 0 ]; then
    echo "exit status $code (137: still running 10 s after SIGTERM)"
    return 1
  fi
}
# check_stop NAME: stop_server in this shell (it must wait for its own child).
check_stop() {
  if stop_server > "$WORK/stop.out" 2>&1; then pass "$1"; else fail "$1" "$(cat "$WORK/stop.out")"; fi
}
# alive: the server process exists and has not exited (a zombie has).
alive() {
  kill -0 "$SERVER_PID" 2> /dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$SERVER_PID/status" 2> /dev/null
}

echo "     start command: ${CMD[*]} (in the runtime tree; image ENV: ${IMAGE_ENV[*]})"
start_server "$WORK/server.log"
if wait_health; then
  pass "start: the image's command serves GET /health 200 with a working sandbox"
  check "start: the admin UI is served at /" node -e '
fetch(process.argv[1]).then(async (r) => {
  const t = await r.text();
  if (r.status !== 200 || !/<html/i.test(t)) { console.log(r.status, t.slice(0, 200)); process.exit(1); }
}, (e) => { console.log(e.message); process.exit(1); })' "http://127.0.0.1:$PORT_IN_USE/"
  check "start: the HEALTHCHECK script passes against the server" \
    env AIRLOCK_PORT="$PORT_IN_USE" node "$OUT/scripts/docker-healthcheck.mjs"
  check "start: the server logs JSON lines on stderr" "$PY" -c '
import json, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("{")]
msgs = [json.loads(l)["msg"] for l in lines]
assert "airlock listening" in msgs, msgs
print(len(lines), "lines")' "$WORK/server.log"
  check_stop "start: SIGTERM stops the server with status 0"
else
  fail "start: the image's command serves GET /health 200 with a working sandbox" "$(tail -n 30 "$WORK/server.log")"
  if [ -n "$SERVER_PID" ]; then kill -KILL "$SERVER_PID" 2> /dev/null || true; SERVER_PID=""; fi
fi
check "start: the HEALTHCHECK script fails when nothing listens" bash -c '
if AIRLOCK_PORT=$(python3 -c "import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])") node "$1" 2> /dev/null; then
  echo "exited 0 with no server"; exit 1; fi' _ "$OUT/scripts/docker-healthcheck.mjs"

# The same start with only the capabilities docker-compose.yml keeps and no_new_privs (as root,
# where the server uses its uid pool; the data directory from the first start is reused), then a
# first execution end to end (scripts/docker-smoke.mjs): a redacted credential, a timeout that
# kills a script of another uid (KILL), a confined install of a local wheel (CHOWN) imported by
# a script.
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
  caps=$("$PY" -c '
import yaml
svc = yaml.safe_load(open("docker-compose.yml"))["services"]["airlock"]
assert svc.get("cap_drop") == ["ALL"], "cap_drop must be [ALL]"
print(",".join("+" + c.lower() for c in svc["cap_add"]))')
  mkdir -p "$WORK/wheels"
  "$PY" - "$WORK/wheels" << 'PYEOF'
import base64, hashlib, sys, zipfile
name, version = "airlock_smoke_pkg", "1.0"
files = {
    f"{name}/__init__.py": "VALUE = 'from a local wheel'\n",
    f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: airlock-smoke-pkg\nVersion: {version}\n",
    f"{name}-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: check-deploy\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
record = []
for path, text in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
    record.append(f"{path},sha256={digest},{len(text.encode())}")
record.append(f"{name}-{version}.dist-info/RECORD,,")
files[f"{name}-{version}.dist-info/RECORD"] = "\n".join(record) + "\n"
with zipfile.ZipFile(f"{sys.argv[1]}/{name}-{version}-py3-none-any.whl", "w") as z:
    for path, text in files.items():
        z.writestr(path, text)
PYEOF
  chmod -R a+rX "$WORK/wheels"
  smoke_password="check-deploy-$RANDOM-$RANDOM-$RANDOM"
  start_server "$WORK/server-caps.log" env AIRLOCK_ADMIN_PASSWORD="$smoke_password" \
    AIRLOCK_PIP_FIND_LINKS="$WORK/wheels" AIRLOCK_PIP_NO_INDEX=1 \
    setpriv --bounding-set "-all,$caps" --inh-caps -all --no-new-privs
  if wait_health; then
    pass "start: works with only docker-compose.yml's capabilities ($caps) and no_new_privs, reusing the data"
    check "smoke: a first execution (redacted credential, timeout kill, confined wheel install) under those capabilities" \
      env SMOKE_PACKAGE=airlock-smoke-pkg==1.0 node "$CTX/scripts/docker-smoke.mjs" "http://127.0.0.1:$PORT_IN_USE" "$smoke_password"
    check_stop "start: SIGTERM stops the restricted server with status 0"
  else
    fail "start: works with only docker-compose.yml's capabilities ($caps) and no_new_privs, reusing the data" \
      "$(tail -n 30 "$WORK/server-caps.log")"
  fi
else
  echo "skip start with docker-compose.yml's capabilities and the smoke execution (needs root and setpriv)"
fi

# --- compose and deploy files -------------------------------------------------------------------

check "docker-compose.yml: parses; builds ., publishes 9090, /data on a named volume, the sandbox's security options" "$PY" -c '
import yaml
doc = yaml.safe_load(open("docker-compose.yml"))
svc = doc["services"]["airlock"]
assert svc["build"] == ".", svc["build"]
assert any(str(p).endswith(":9090") for p in svc["ports"]), svc["ports"]
vol = [v for v in svc["volumes"] if v.endswith(":/data")]
assert vol and vol[0].split(":")[0] in doc["volumes"], svc["volumes"]
for opt in ("seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined"):
    assert opt in svc["security_opt"], opt'

check "deploy/render.yaml: parses; Docker runtime, a disk at /data, health check /health, one instance" "$PY" -c '
import os, yaml
svc = yaml.safe_load(open("deploy/render.yaml"))["services"][0]
assert svc["runtime"] == "docker" and os.path.isfile(svc["dockerfilePath"]), svc
assert svc["disk"]["mountPath"] == "/data" and svc["disk"]["sizeGB"] >= 1, svc["disk"]
assert svc["healthCheckPath"] == "/health" and svc["numInstances"] == 1'

check "deploy/railway.toml: parses; Dockerfile builder, /health check, one replica, the /data volume step documented" "$PY" -c '
import os, tomllib
doc = tomllib.load(open("deploy/railway.toml", "rb"))
assert doc["build"]["builder"] == "DOCKERFILE" and os.path.isfile(doc["build"]["dockerfilePath"])
assert doc["deploy"]["healthcheckPath"] == "/health" and doc["deploy"]["numReplicas"] == 1
assert "--mount-path /data" in open("deploy/railway.toml").read()'

check "deploy/fly.toml: parses; a volume at /data, internal port 9090, a /health check" "$PY" -c '
import tomllib
doc = tomllib.load(open("deploy/fly.toml", "rb"))
mounts = doc["mounts"] if isinstance(doc["mounts"], list) else [doc["mounts"]]
assert any(m["destination"] == "/data" for m in mounts), mounts
svc = doc["http_service"]
assert svc["internal_port"] == 9090, svc
assert any(c["path"] == "/health" for c in svc["checks"]), svc["checks"]'

check "docs/docker.md: the docker run line grants what docker-compose.yml grants" "$PY" -c '
import re, yaml
svc = yaml.safe_load(open("docker-compose.yml"))["services"]["airlock"]
text = open("docs/docker.md").read()
m = re.search(r"docker run .*?(?=\n```)", text, re.S)
assert m, "no docker run line"
line = m.group(0)
missing = [o for o in svc["security_opt"] if o.split(":")[0] not in line]
missing += [c for c in svc["cap_add"] if f"--cap-add {c}" not in line and f"--cap-add={c}" not in line]
if "--cap-drop ALL" not in line and "--cap-drop=ALL" not in line: missing.append("--cap-drop ALL")
assert not missing, missing'

echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
