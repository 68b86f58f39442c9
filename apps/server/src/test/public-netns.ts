/**
 * A test server at a public address, in a network namespace of the test's own: a veth pair from
 * the host into the namespace, a random public /32 on the namespace's loopback, a host route to
 * it. Only this host's traffic to that one address goes there, for the test's lifetime. Root
 * only (the caller skips otherwise).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { once } from 'node:events';

export interface PublicTestHost {
  address: string;
  /** The first port the server printed. */
  port: number;
  /** Every port it printed (a server may listen on several). */
  ports: number[];
  close(): Promise<void>;
}

const HELLO = (address: string) =>
  [
    'import http.server, sys',
    'class H(http.server.BaseHTTPRequestHandler):',
    '    def do_GET(self):',
    '        body = b"hello from a public address"',
    '        self.send_response(200)',
    '        self.send_header("Content-Length", str(len(body)))',
    '        self.end_headers()',
    '        self.wfile.write(body)',
    '    def log_message(self, *a): pass',
    `s = http.server.HTTPServer(("${address}", 0), H)`,
    'print(s.server_port, flush=True)',
    's.serve_forever()',
  ].join('\n');

const ip = (...args: string[]) => execFileSync('/usr/sbin/ip', args, { stdio: 'pipe' });

/**
 * @param program Python source run in the namespace with the address as `sys.argv[1]`; it
 *   prints its port(s) on one line, space-separated (default: a one-page HTTP server).
 */
export async function publicTestHost(
  program?: (address: string) => string,
): Promise<PublicTestHost> {
  const tag = `${process.pid % 10000}${randomInt(100, 999)}`;
  const ns = `airlock-t${tag}`;
  const [hostIf, nsIf] = [`alh${tag}`, `aln${tag}`];
  const [a, b] = [randomInt(0, 256), randomInt(0, 64) * 4];
  const link = `10.${a}.${b}`;
  // 45.X.Y.Z: public unicast (no special-purpose range); random so parallel runs differ.
  const address = `45.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
  ip('netns', 'add', ns);
  try {
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    ip('link', 'set', nsIf, 'netns', ns);
    ip('addr', 'add', `${link}.${b + 1}/30`, 'dev', hostIf);
    ip('link', 'set', hostIf, 'up');
    ip('-n', ns, 'addr', 'add', `${link}.${b + 2}/30`, 'dev', nsIf);
    ip('-n', ns, 'link', 'set', nsIf, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'addr', 'add', `${address}/32`, 'dev', 'lo');
    ip('-n', ns, 'route', 'add', 'default', 'via', `${link}.${b + 1}`);
    ip('route', 'add', `${address}/32`, 'via', `${link}.${b + 2}`);
  } catch (e) {
    ip('netns', 'del', ns);
    throw e;
  }
  const server = spawn(
    '/usr/sbin/ip',
    ['netns', 'exec', ns, '/usr/bin/python3', '-I', '-c', (program ?? HELLO)(address), address],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = (await once(server.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  const ports = line.toString().trim().split(/\s+/).map(Number);
  const port = ports[0] as number;
  return {
    address,
    port,
    ports,
    async close() {
      server.kill('SIGKILL');
      await once(server, 'close').catch(() => {});
      try {
        ip('route', 'del', `${address}/32`);
      } catch {
        // gone with the link
      }
      try {
        ip('link', 'del', hostIf);
      } catch {
        // gone with the namespace
      }
      ip('netns', 'del', ns);
    },
  };
}
