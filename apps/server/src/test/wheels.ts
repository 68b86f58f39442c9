import { spawnSync } from 'node:child_process';

/**
 * Writes a minimal pure-Python wheel (`<name>-<version>-py3-none-any.whl`, a zip with its
 * dist-info and RECORD) into `dir` with Debian's python: a local package source for install
 * tests, since these machines cannot reach PyPI.
 */
export function buildWheel(dir: string, name: string, version: string, value: string): void {
  const py = `
import base64, hashlib, sys, zipfile
name, ver, value, out = sys.argv[1:5]
mod = name.replace("-", "_")
files = {
  f"{mod}/__init__.py": f"VALUE = {value!r}\\n".encode(),
  f"{mod}-{ver}.dist-info/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {ver}\\n".encode(),
  f"{mod}-{ver}.dist-info/WHEEL": b"Wheel-Version: 1.0\\nGenerator: airlock-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
rec = "".join(f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},{len(d)}\\n" for p, d in files.items())
files[f"{mod}-{ver}.dist-info/RECORD"] = (rec + f"{mod}-{ver}.dist-info/RECORD,,\\n").encode()
with zipfile.ZipFile(f"{out}/{mod}-{ver}-py3-none-any.whl", "w") as z:
    for p, d in files.items():
        z.writestr(p, d)
`;
  const r = spawnSync('/usr/bin/python3', ['-I', '-c', py, name, version, value, dir]);
  if (r.status !== 0) throw new Error(`wheel build failed: ${r.stderr}`);
}
