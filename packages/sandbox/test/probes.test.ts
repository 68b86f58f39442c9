/**
 * Escape probes: each property of "The sandbox" in security.md, attacked by a real Python script
 * through the real backend. Every probe asserts the blocked outcome and that no process of the
 * sandbox's uids is left afterwards. Runs for every backend installed here (nsjail only when its
 * binary is on PATH; the suite says plainly which backends ran).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ConfinedBackend, processesOf, which } from '../src/index.js';
import { leftovers, run, testSandbox, text } from './helpers.js';

const backends: ConfinedBackend[] = ['bwrap', ...(which('nsjail') ? (['nsjail'] as const) : [])];
console.log(
  `escape probes run against: ${backends.join(', ')}${backends.includes('nsjail') ? '' : ' (nsjail not installed: its probes did not run)'}`,
);

// A marker in this process's environment: it must never be visible inside.
const isRoot = process.getuid?.() === 0;
const MARKER = `fake-server-env-${process.pid}-${Date.now()}`;
const SECRET = `fake-secret-${Math.random().toString(36).slice(2)}`;
process.env.AIRLOCK_PROBE_MARKER = MARKER;

describe.each(backends)('escape probes (%s)', (backend) => {
  const sandbox = testSandbox({ backend });
  let dataDir: string;
  let keyFile: string;
  let server: Server;
  let port = 0;
  // A host service on an abstract unix socket: reachable only from the host's network namespace.
  // (Node binds the whole 108-byte sun_path, so the probe pads the name with NULs.)
  const abstractName = `airlock-probe-${process.pid}-${backend}`;
  let abstract: Server;

  beforeAll(async () => {
    // A stand-in data directory: world-readable on purpose, so only the mount namespace (not
    // permissions) can keep the script out.
    dataDir = mkdtempSync(join(tmpdir(), 'airlock-probe-data-'));
    chmodSync(dataDir, 0o755);
    keyFile = join(dataDir, 'master.key');
    writeFileSync(keyFile, 'fake-master-key-for-probe', { mode: 0o644 });
    server = createServer((s) => s.end('hello from the host\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    port = typeof addr === 'object' && addr ? addr.port : 0;
    abstract = createServer((s) => s.end('hello from the abstract socket\n'));
    await new Promise<void>((r) => abstract.listen(`\0${abstractName}`, r));
  });

  afterAll(() => {
    server.close();
    abstract.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    expect(leftovers(sandbox)).toEqual([]);
  });

  const quick = { timeoutMs: 10_000 };

  it('sees only its own minimal environment, nowhere the server`s', async () => {
    const r = await run(
      sandbox,
      [
        'import os',
        'found = []',
        'for p in os.listdir("/proc"):',
        '    if p.isdigit():',
        '        try:',
        '            if MARKER.encode() in open(f"/proc/{p}/environ", "rb").read(): found.append(p)',
        '        except OSError: pass',
        'set_result({"env": dict(os.environ), "found": found, "in_env": any(MARKER in v for v in os.environ.values())})',
      ]
        .join('\n')
        .replaceAll('MARKER', JSON.stringify(MARKER)),
      { limits: quick },
    );
    expect(r).toMatchObject({
      status: 'completed',
      result: {
        found: [],
        in_env: false,
        env: { HOME: '/work', PATH: '/usr/local/bin:/usr/bin:/bin' },
      },
    });
  });

  it('has its own PID namespace: no parent, pid 1 is itself, no host process visible', async () => {
    const r = await run(
      sandbox,
      [
        'import os, ctypes',
        'pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())',
        'libc = ctypes.CDLL(None, use_errno=True)',
        `rc = libc.ptrace(16, ${process.pid}, 0, 0)  # PTRACE_ATTACH to the server's host pid`,
        'err = ctypes.get_errno()',
        'try:',
        `    open("/proc/${process.pid}/mem", "rb").read(1); mem = "read"`,
        'except OSError as e:',
        '    mem = type(e).__name__',
        'set_result({"pid": os.getpid(), "ppid": os.getppid(), "pids": pids, "ptrace": rc, "errno": err, "mem": mem,',
        '            "pid1": open("/proc/1/cmdline","rb").read().split(b"\\0")[0].decode()})',
      ].join('\n'),
      { limits: quick },
    );
    expect(r.status).toBe('completed');
    if (r.status !== 'completed') return;
    const res = r.result as Record<string, unknown>;
    expect(res.pid).toBe(1);
    expect(res.ppid).toBe(0);
    expect(res.pids).toEqual([1]);
    expect(res.pid1).toBe('/usr/bin/python3');
    expect(res.ptrace).toBe(-1);
    expect([1, 3]).toContain(res.errno); // EPERM (seccomp) or ESRCH (not in this namespace)
    expect(res.mem).toBe('FileNotFoundError');
  });

  it('runs as a non-root host uid with no capabilities and no_new_privs', async () => {
    const handle = sandbox.run({
      script: [
        'import os',
        'status = open("/proc/self/status").read()',
        'field = lambda n: [l.split(":", 1)[1].strip() for l in status.splitlines() if l.startswith(n + ":")][0]',
        'llm.complete("pause so the host side can look")',
        'set_result({"uid": os.getuid(), "cap": field("CapEff"), "nnp": field("NoNewPrivs")})',
      ].join('\n'),
      limits: quick,
      settings: { TOKEN: SECRET },
    });
    for await (const ev of handle.events) {
      if (ev.type !== 'awaiting_llm') continue;
      // Seen from the host: the interpreter runs as a pool uid, never as root, and the secret
      // is in no command line or environment any host user could read.
      // As root the run gets a pool uid; a non-root caller's runs keep the caller's uid.
      const uids = isRoot ? sandbox.uids : [process.getuid?.() ?? -1];
      const procs = processesOf(uids).filter((p) =>
        ['python3', 'bwrap', 'nsjail'].includes(p.name),
      );
      expect(procs.map((p) => p.name)).toContain('python3');
      expect(procs.every((p) => p.uid !== 0)).toBe(true);
      for (const p of procs) {
        // No supplementary groups (root's would survive a bare setuid).
        const status = readFileSync(`/proc/${p.pid}/status`, 'utf8');
        expect(status.match(/^Groups:(.*)$/m)?.[1]?.trim()).toBe('');
        for (const f of ['cmdline', 'environ']) {
          const content = readFileSync(`/proc/${p.pid}/${f}`);
          expect(content.includes(SECRET), `${p.name} ${f}`).toBe(false);
        }
      }
      handle.respond('ok');
    }
    const r = await handle.result;
    expect(r).toMatchObject({
      status: 'completed',
      result: { uid: 1000, cap: '0000000000000000', nnp: '1' },
    });
  });

  it('cannot make device nodes on its writable mounts, and set-uid bits grant nothing', async () => {
    const r = await run(
      sandbox,
      [
        'import os, stat, shutil',
        'out = {}',
        'for d in ["/tmp", "/work", "/dev/shm"]:',
        '    try:',
        '        os.mknod(d + "/mem", stat.S_IFCHR | 0o666, os.makedev(1, 1))',
        '        out[d] = "made"',
        '    except OSError as e:',
        '        out[d] = e.errno',
        // A set-uid copy of a binary runs as the caller (no_new_privs; nosuid mounts on bwrap).
        'shutil.copy("/usr/bin/id", "/tmp/id"); os.chmod("/tmp/id", 0o4755)',
        'import subprocess',
        'out["euid"] = subprocess.run(["/tmp/id", "-u"], capture_output=True, text=True).stdout.strip()',
        'set_result(out)',
      ].join('\n'),
      { limits: quick },
    );
    // EPERM: no CAP_MKNOD in the sandbox's user namespace.
    expect(r).toMatchObject({
      status: 'completed',
      result: { '/tmp': 1, '/work': 1, '/dev/shm': 1, euid: '1000' },
    });
  });

  it('cannot read the data directory by path or through /proc/*/root', async () => {
    const r = await run(
      sandbox,
      [
        'import os',
        `paths = [${JSON.stringify(keyFile)}, "/proc/1/root" + ${JSON.stringify(keyFile)}, "/proc/self/root" + ${JSON.stringify(keyFile)}]`,
        `paths += [f"/proc/{p}/root" + ${JSON.stringify(keyFile)} for p in os.listdir("/proc") if p.isdigit()]`,
        'paths += ["/root/.bashrc", "/work/main/package.json", "/etc/shadow", "/var/lib"]',
        'got = []',
        'for p in paths:',
        '    try:',
        '        got.append((p, open(p).read()[:20]))',
        '    except OSError:',
        '        pass',
        'hits = []',
        'for top in os.listdir("/"):',
        '    if top in ("proc", "sys", "usr"): continue  # kernel views, and the read-only system',
        '    for d, _, files in os.walk("/" + top):',
        '        hits += [d + "/" + f for f in files if f == "master.key"]',
        'set_result({"read": got, "found": hits, "tmp": os.listdir("/tmp")})',
      ].join('\n'),
      { limits: { timeoutMs: 20_000 } },
    );
    expect(r.status === 'error' ? r.error : '').toBe('');
    expect(r).toMatchObject({ status: 'completed', result: { read: [], found: [], tmp: [] } });
  });

  it('has only fds 0, 1, 2 and the control channel open', async () => {
    const r = await run(
      sandbox,
      [
        'import os, stat',
        'fds = sorted(int(f) for f in os.listdir("/proc/self/fd"))',
        'info = {}',
        'for f in fds:',
        '    try: info[f] = stat.S_IFMT(os.fstat(f).st_mode)',
        '    except OSError: pass  # the fd listdir itself used',
        'set_result({"fds": list(info), "sock": [f for f, m in info.items() if m == stat.S_IFSOCK]})',
      ].join('\n'),
      { limits: quick },
    );
    expect(r.status).toBe('completed');
    if (r.status !== 'completed') return;
    // stdout and stderr are sockets too (node's 'pipe' stdio is a socketpair).
    const res = r.result as { fds: number[]; sock: number[] };
    const extra = res.fds.filter((f) => f > 2);
    expect(extra).toHaveLength(1);
    expect(res.sock).toContain(extra[0]);
    expect(extra[0]).toBeGreaterThanOrEqual(200);
  });

  it('has no network and no DNS in mode none, and cannot reach a host loopback listener', async () => {
    // Only mode none probes DNS and an outside address: its namespace is empty, so nothing can
    // leave it. The modes with a way out probe nothing but this machine (tests never send
    // traffic off the host).
    const script = (outside: boolean) =>
      [
        'import socket, os',
        'out = {}',
        ...(outside
          ? [
              'try:',
              '    socket.getaddrinfo("example.com", 443); out["dns"] = "resolved"',
              'except OSError as e:',
              '    out["dns"] = type(e).__name__',
            ]
          : []),
        `targets = [${outside ? '("internet", ("198.51.100.1", 53)), ' : ''}("loopback", ("127.0.0.1", PORT)), ("abstract", b"\\0" + b"ABSTRACT".ljust(107, b"\\0"))]`,
        'for name, addr in targets:',
        '    s = socket.socket(socket.AF_UNIX if isinstance(addr, bytes) else socket.AF_INET); s.settimeout(2)',
        '    try:',
        '        s.connect(addr); out[name] = s.recv(100).decode()',
        '    except OSError as e:',
        '        out[name] = type(e).__name__',
        '    finally:',
        '        s.close()',
        'out["ifaces"] = sorted(name for _, name in socket.if_nameindex())',
        'set_result(out)',
      ]
        .join('\n')
        .replace('PORT', String(port))
        .replace('ABSTRACT', abstractName);
    const none = await run(sandbox, script(true), { limits: quick });
    expect(none.status).toBe('completed');
    if (none.status !== 'completed') return;
    const res = none.result as Record<string, string>;
    expect(res.dns).toBe('gaierror');
    expect(res.internet).toMatch(/OSError|TimeoutError|ConnectionRefusedError/);
    expect(res.loopback).toBe('ConnectionRefusedError');
    expect(res.abstract).toBe('ConnectionRefusedError');
    expect(res.ifaces).toEqual(['lo']);
    // `full` (through pasta): real interfaces, but the host's loopback is still out of reach.
    const full = await run(sandbox, script(false), { limits: quick, network: { mode: 'full' } });
    expect(full).toMatchObject({
      status: 'completed',
      result: { loopback: 'ConnectionRefusedError', abstract: 'ConnectionRefusedError' },
    });
    if (full.status === 'completed') {
      expect((full.result as { ifaces: string[] }).ifaces.length).toBeGreaterThan(1);
    }
    // `host` shares the host's namespace and does reach the listener: the probe can succeed.
    const host = await run(sandbox, script(false), { limits: quick, network: { mode: 'host' } });
    expect(host).toMatchObject({
      status: 'completed',
      result: { loopback: 'hello from the host\n', abstract: 'hello from the abstract socket\n' },
    });
  });

  it('cannot write outside its tmpfs; /tmp and the work dir are writable', async () => {
    const r = await run(
      sandbox,
      [
        'import os',
        'out = {}',
        'for p in ["/usr/x", "/etc/x", "/x", "/dev/x", "/airlock/runtime/airlock_runtime.py", "/proc/sys/kernel/hostname"]:',
        '    try:',
        '        open(p, "a").write("x"); out[p] = "written"',
        '    except OSError as e:',
        '        out[p] = "refused"',
        'open("/tmp/ok", "w").write("x"); open("/work/ok", "w").write("x")',
        'out["cwd"] = os.getcwd()',
        'set_result(out)',
      ].join('\n'),
      { limits: quick },
    );
    expect(r).toMatchObject({
      status: 'completed',
      result: {
        '/usr/x': 'refused',
        '/etc/x': 'refused',
        '/x': 'refused',
        '/dev/x': 'refused',
        '/airlock/runtime/airlock_runtime.py': 'refused',
        '/proc/sys/kernel/hostname': 'refused',
        cwd: '/work',
      },
    });
  });

  it('tmpfs is size-limited (disk bomb) and file size is limited', async () => {
    const disk = await run(
      sandbox,
      'with open("/tmp/fill", "wb") as f:\n    while True:\n        f.write(b"x" * 65536)',
      { limits: { ...quick, tmpfsBytes: 4 * 2 ** 20, fileSizeBytes: 64 * 2 ** 20 } },
    );
    expect(disk).toMatchObject({ status: 'limit', limit: 'disk' });
    // /dev/shm is writable (multiprocessing needs it) but bounded the same way.
    const shm = await run(
      sandbox,
      'with open("/dev/shm/fill", "wb") as f:\n    while True:\n        f.write(b"x" * 65536)',
      { limits: { ...quick, tmpfsBytes: 4 * 2 ** 20, fileSizeBytes: 64 * 2 ** 20 } },
    );
    expect(shm).toMatchObject({ status: 'limit', limit: 'disk' });
    const big = await run(sandbox, 'open("/work/big", "wb").write(b"x" * (3 * 2**20))', {
      limits: { ...quick, fileSizeBytes: 2 ** 20 },
    });
    expect(big).toMatchObject({ status: 'limit', limit: 'fileSize' });
  });

  it('a file left in /tmp or the work dir is gone in the next run', async () => {
    const first = await run(
      sandbox,
      'open("/tmp/left", "w").write("x"); open("/work/left", "w").write("x")',
    );
    expect(first.status).toBe('completed');
    const second = await run(
      sandbox,
      'import os\nset_result([os.path.exists("/tmp/left"), os.path.exists("/work/left")])',
    );
    expect(second).toMatchObject({ status: 'completed', result: [false, false] });
  });

  it('fork bomb: stopped with a processes limit, nothing left', async () => {
    const r = await run(sandbox, 'import os\nwhile True:\n    os.fork()', {
      limits: { timeoutMs: 15_000, processes: 32 },
    });
    expect(r).toMatchObject({ status: 'limit', limit: 'processes' });
  });

  it('memory bomb: stopped with a memory limit', async () => {
    const r = await run(
      sandbox,
      'blocks = []\nwhile True:\n    blocks.append(bytearray(16 * 2**20))',
      {
        limits: { ...quick, memoryBytes: 256 * 2 ** 20 },
      },
    );
    expect(r).toMatchObject({ status: 'limit', limit: 'memory' });
  });

  it('CPU loop: stopped by the CPU limit', async () => {
    const r = await run(sandbox, 'while True:\n    pass', {
      limits: { timeoutMs: 20_000, cpuSeconds: 1 },
    });
    expect(r).toMatchObject({ status: 'limit', limit: 'cpu' });
  });

  it('CPU loop inside C code (no Python signal handling): stopped by the CPU hard limit', async () => {
    const r = await run(sandbox, 'sum(range(10**14))', {
      limits: { timeoutMs: 20_000, cpuSeconds: 1 },
    });
    expect(r).toMatchObject({ status: 'limit', limit: 'cpu' });
  });

  it('sleep forever: stopped by the wall-clock timeout', async () => {
    const r = await run(sandbox, 'import time\nprint("sleeping", flush=True)\ntime.sleep(10**6)', {
      limits: { timeoutMs: 2000 },
    });
    expect(r).toMatchObject({ status: 'timeout', error: 'timed out after 2 s' });
    expect(text(r.stdout)).toBe('sleeping\n');
    expect(r.executionMs).toBeGreaterThanOrEqual(2000);
  });

  it('double-fork daemon: killed when the script ends', async () => {
    const r = await run(
      sandbox,
      [
        'import os, time',
        'if os.fork() == 0:',
        '    os.setsid()',
        '    if os.fork() == 0:',
        '        time.sleep(10**6)',
        '    os._exit(0)',
        'time.sleep(0.2)',
        'set_result("parent done")',
      ].join('\n'),
      { limits: quick },
    );
    expect(r).toMatchObject({ status: 'completed', result: 'parent done' });
  });

  it('setsid child outliving a timeout: the whole tree is killed', async () => {
    const r = await run(
      sandbox,
      [
        'import os, subprocess, time',
        'subprocess.Popen(["/usr/bin/setsid", "/usr/bin/sleep", "1000"])',
        'subprocess.Popen(["/usr/bin/sleep", "1000"], start_new_session=True)',
        'time.sleep(1000)',
      ].join('\n'),
      { limits: { timeoutMs: 1500 } },
    );
    expect(r.status).toBe('timeout');
  });

  it('cannot create user namespaces (or any namespace)', async () => {
    const r = await run(
      sandbox,
      [
        'import ctypes, subprocess',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'out = {}',
        'for name, flag in [("user", 0x10000000), ("mount", 0x00020000), ("net", 0x40000000), ("pid", 0x20000000)]:',
        '    out[name] = libc.unshare(flag)',
        'p = subprocess.run(["/usr/bin/unshare", "-Ur", "true"], capture_output=True)',
        'out["unshare_cmd"] = p.returncode',
        'set_result(out)',
      ].join('\n'),
      { limits: quick },
    );
    expect(r.status).toBe('completed');
    if (r.status !== 'completed') return;
    expect(r.result).toMatchObject({ user: -1, mount: -1, net: -1, pid: -1 });
    expect((r.result as Record<string, number>).unshare_cmd).not.toBe(0);
  });

  it('seccomp refuses ptrace, keyrings, bpf, io_uring, TIOCSTI and exotic sockets; threads, subprocess and multiprocessing still work', async () => {
    const r = await run(
      sandbox,
      [
        'import ctypes, socket, subprocess, threading, multiprocessing, os',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'def call(nr, *args):',
        '    rc = libc.syscall(nr, *args)',
        '    return (rc, ctypes.get_errno())',
        'out = {}',
        'out["ptrace_traceme"] = call(101, 0, 0, 0, 0)          # PTRACE_TRACEME on itself',
        'out["keyctl"] = call(250, 0, 0, 0, 0)',
        'out["bpf"] = call(321, 0, 0, 0)',
        'out["io_uring_setup"] = call(425, 1, 0)',
        'out["userfaultfd"] = call(323, 0)',
        'out["clone3"] = call(435, 0, 0)',
        'out["tiocsti"] = [libc.ioctl(0, 0x5412, ctypes.c_char_p(b"x")), ctypes.get_errno()]',
        'try:',
        '    socket.socket(17, socket.SOCK_RAW); out["packet"] = "created"',
        'except OSError as e:',
        '    out["packet"] = e.errno',
        'out["seccomp"] = [l.split()[1] for l in open("/proc/self/status") if l.startswith("Seccomp:")][0]',
        'box = []',
        't = threading.Thread(target=lambda: box.append("thread ok")); t.start(); t.join()',
        'out["thread"] = box[0]',
        'out["subprocess"] = subprocess.run(["/usr/bin/echo", "sub ok"], capture_output=True, text=True).stdout.strip()',
        'with multiprocessing.Pool(2) as pool:',
        '    out["multiprocessing"] = pool.map(abs, [-1, -2])',
        'set_result(out)',
      ].join('\n'),
      { limits: { timeoutMs: 20_000 } },
    );
    expect(r.status === 'error' ? r.error : '').toBe('');
    expect(r).toMatchObject({
      status: 'completed',
      result: {
        thread: 'thread ok',
        subprocess: 'sub ok',
        multiprocessing: [1, 2],
        tiocsti: [-1, expect.any(Number)],
      },
    });
    if (r.status !== 'completed') return;
    const res = r.result as Record<string, unknown>;
    if (backend === 'bwrap') {
      expect(res.seccomp).toBe('2');
      for (const k of ['ptrace_traceme', 'keyctl', 'bpf', 'io_uring_setup', 'userfaultfd']) {
        expect([k, res[k]]).toEqual([k, [-1, 1]]); // EPERM from the filter
      }
      expect(res.clone3).toEqual([-1, 38]); // ENOSYS: glibc falls back to clone
      expect(res.tiocsti).toEqual([-1, 1]);
      expect(res.packet).toBe(1);
    }
  });

  it('a timeout with network full kills through pasta, leaving nothing', async () => {
    const r = await run(sandbox, 'import time\ntime.sleep(1000)', {
      limits: { timeoutMs: 800 },
      network: { mode: 'full' },
    });
    expect(r).toMatchObject({ status: 'timeout' });
  });

  it('cancel kills the run with a cancelled result', async () => {
    const handle = sandbox.run({ script: 'import time\ntime.sleep(1000)' });
    setTimeout(() => handle.cancel(), 300);
    const r = await handle.result;
    expect(r).toMatchObject({ status: 'cancelled' });
  });
});
