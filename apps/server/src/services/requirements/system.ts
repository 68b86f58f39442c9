import { execFile } from 'node:child_process';

/** A distribution a script imports without any install. */
export interface SystemPackage {
  name: string;
  version: string;
}

/**
 * Asks the interpreter for every distribution on its own path (Debian's python3 packages, what
 * was pip-installed into /usr/local): isolated (`-I`: no user site, no `PYTHON*` variables),
 * as the sandbox runs it. The first of a name on the path is the one imported.
 */
const PROBE = `
import importlib.metadata as m, json, re
seen = {}
for d in m.distributions():
    name = d.metadata["Name"]
    if not name:
        continue
    key = re.sub(r"[-_.]+", "-", name).lower()
    seen.setdefault(key, {"name": name, "version": d.version or ""})
print(json.dumps(sorted(seen.values(), key=lambda p: p["name"].lower())))
`;

const cache = new Map<string, Promise<SystemPackage[]>>();

/**
 * What scripts import from the system interpreter without any install, asked of it once per
 * interpreter (this changes only with the image). The sandbox binds the host's `/usr` read-only,
 * so the host's interpreter sees exactly the packages a script sees. A failed probe is not
 * cached: the next call asks again.
 */
export function listSystemPackages(python: string): Promise<SystemPackage[]> {
  let listed = cache.get(python);
  if (listed === undefined) {
    listed = probe(python);
    cache.set(python, listed);
    listed.catch(() => cache.delete(python));
  }
  return listed;
}

function probe(python: string): Promise<SystemPackage[]> {
  return new Promise((resolve, reject) => {
    execFile(
      python,
      ['-I', '-c', PROBE],
      {
        cwd: '/',
        env: { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8' },
        timeout: 30_000,
        maxBuffer: 4 << 20,
      },
      (err, stdout) => {
        if (err) {
          reject(new Error(`${python} could not list its packages (${err.message})`));
          return;
        }
        try {
          const parsed: unknown = JSON.parse(stdout);
          if (!Array.isArray(parsed)) throw new Error('not a list');
          resolve(
            parsed.filter(
              (p): p is SystemPackage =>
                typeof p?.name === 'string' && typeof p?.version === 'string',
            ),
          );
        } catch (e) {
          reject(new Error(`${python} answered an unreadable package list (${String(e)})`));
        }
      },
    );
  });
}
