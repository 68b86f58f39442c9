#!/usr/bin/env bash
# Copies what the Airlock server needs at run time out of a built workspace into OUT, keeping the
# workspace layout (so the image starts with `node apps/server/dist/main.js` from OUT):
#   package.json, node_modules/                       the root and its pnpm store (.pnpm)
#   packages/<lib>/{package.json,node_modules,<files>} each library with what its "files" lists
#                                                      (dist, sandbox runtime/ and seccomp/, db drizzle/)
#   apps/server/{package.json,dist,node_modules}       the server
#   apps/admin/dist                                    the built admin UI
#   scripts/docker-healthcheck.mjs                     the image's HEALTHCHECK
# Used by the Dockerfile (stage "prod", after a production-only install) and by
# scripts/check-deploy.sh, which passes --link-node-modules to symlink the root node_modules
# instead of copying it.
#
# Usage: bash scripts/docker-assemble.sh [--link-node-modules] SRC OUT
set -euo pipefail

link_node_modules=0
if [ "${1:-}" = --link-node-modules ]; then
  link_node_modules=1
  shift
fi
usage="usage: docker-assemble.sh [--link-node-modules] SRC OUT"
src=$(cd "${1:?$usage}" && pwd)
out=${2:?$usage}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$src"

copy() {
  if [ ! -e "$1" ]; then
    echo "docker-assemble: $src/$1 is missing (was the workspace built?)" >&2
    exit 1
  fi
  mkdir -p "$out/$(dirname "$1")"
  cp -a "$1" "$out/$1"
}

copy package.json
if [ "$link_node_modules" = 1 ]; then
  ln -s "$src/node_modules" "$out/node_modules"
else
  copy node_modules
fi

for dir in packages/*; do
  [ -f "$dir/package.json" ] || continue
  copy "$dir/package.json"
  # Whatever the package publishes ("files"): dist and its run-time assets.
  while IFS= read -r entry; do
    [ -n "$entry" ] && copy "$dir/$entry"
  done < <(node -e 'for (const f of require(process.argv[1]).files ?? ["dist"]) console.log(f)' \
    "$src/$dir/package.json")
  if [ -d "$dir/node_modules" ]; then copy "$dir/node_modules"; fi
done

copy apps/server/package.json
copy apps/server/dist
copy apps/server/node_modules
copy apps/admin/dist
copy scripts/docker-healthcheck.mjs

# Readable by everyone: the sandbox's unprivileged uid binds packages/sandbox/runtime read-only,
# whatever umask the build context was checked out with. (Symlinks are not followed.)
chmod -R a+rX "$out"
echo "docker-assemble: $out ready"
