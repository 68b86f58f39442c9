#!/usr/bin/env bash
# Follows the README as a person would, on this checkout: `pnpm start` (the run command), then
# "Your first execution" (setup code, a credential, a profile, lock, and the README's own signed
# request, taken from the README text). Run by CI after the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

export AIRLOCK_PORT="${AIRLOCK_PORT:-9090}"
export AIRLOCK_DATA_DIR="$PWD/.readme-check-data"
BASE="http://localhost:$AIRLOCK_PORT"
rm -rf "$AIRLOCK_DATA_DIR"
log=$(mktemp)
passed=0; failed=0
check() { if eval "$2"; then echo "ok: $1"; passed=$((passed + 1)); else echo "FAILED: $1"; failed=$((failed + 1)); fi; }

# The README's run command (setup already ran in CI).
pnpm start >"$log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; pkill -f "apps/server/dist/main.js" 2>/dev/null || true; rm -rf "$AIRLOCK_DATA_DIR"; }
trap cleanup EXIT
for _ in $(seq 1 300); do
  curl -sf "$BASE/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { echo "pnpm start exited:"; cat "$log"; exit 1; }
  sleep 1
done
check "pnpm start serves /health" 'curl -sf "$BASE/health" | jq -e ".status == \"ok\"" >/dev/null'
check "the admin UI answers at /" 'curl -sf "$BASE/" | grep -q "<div id=\"root\">"'

# Step 1: the setup code printed in the terminal is also in data/private/setup-code.
code=$(tr -d '\n' <"$AIRLOCK_DATA_DIR/private/setup-code")
check "the setup code was printed in the terminal" 'grep -q "$code" "$log"'
token=$(curl -sf "$BASE/api/admin/setup" -H 'Content-Type: application/json' \
  -d "$(jq -n --arg c "$code" '{setup_code: $c, password: "readme check password"}')" | jq -r .token)
admin=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')
# Steps 2 and 3, through the same API the admin UI uses.
curl -sf "$BASE/api/admin/credentials" "${admin[@]}" -d '{"name":"DEMO_TOKEN","value":"demo-token-value-123"}' >/dev/null
profile=$(curl -sf "$BASE/api/admin/profiles" "${admin[@]}" -d '{}' | jq -r .id)
curl -sf "$BASE/api/admin/profiles/$profile/credentials" "${admin[@]}" -d '{"credentials":["DEMO_TOKEN"]}' >/dev/null
# Lock what was attached (the server refuses if the profile changed since it was shown).
AIRLOCK_KEY=$(curl -sf "$BASE/api/admin/profiles/$profile/lock" "${admin[@]}" -d '{"credentials":["DEMO_TOKEN"]}' | jq -r .key)
export AIRLOCK_KEY

# Step 4: the README's bash block, as written (only the placeholder key line is dropped).
snippet=$(awk '/^4\. Run a signed script/{f=1} f&&/^```bash$/{b=1;next} b&&/^```$/{exit} b' README.md | grep -v "^AIRLOCK_KEY=")
out=$(bash -c "$snippet")
check "the README's signed request completes" 'echo "$out" | jq -e ".status == \"completed\"" >/dev/null'
check "its output is redacted" 'echo "$out" | jq -e ".stdout == \"token is [REDACTED:DEMO_TOKEN]\n\"" >/dev/null'
check "its result is the value's length" 'echo "$out" | jq -e ".result == 20" >/dev/null'
check "the value appears nowhere" '! echo "$out" | grep -q "demo-token-value-123"'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
