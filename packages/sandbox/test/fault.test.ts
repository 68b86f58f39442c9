import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSandbox, processesOf } from '../src/index.js';
import { claimTestUids, TEST_BACKEND } from './helpers.js';
import { launchPlan, sandboxEnvForTests, which } from './plan-helpers.js';

// Uids of this file's own (never another test run's or a running Airlock's).
const own = claimTestUids();

/** Host pids whose command line contains `marker`. */
function withMarker(marker: string): number[] {
  const found: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`).includes(marker)) found.push(Number(e));
    } catch {
      // exited
    }
  }
  return found;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the server dying (kill -9) mid-run', () => {
  // Launched exactly as the runner does (the parent-death wrapper, pasta for `full`): server,
  // launcher(s), the sandboxed python and its daemon all carry the marker.
  it.each([
    ['none', 4],
    ['full', 5],
  ] as const)('takes the whole sandbox with it (network %s)', async (mode, processes) => {
    const binary = which(TEST_BACKEND);
    expect(binary).toBeDefined();
    if (!binary) return;
    // A unique number: the sandboxed daemon runs `sleep <marker>`, so it carries the marker too.
    const marker = `1000.${process.pid}${Date.now() % 100000}`;
    const isRoot = process.getuid?.() === 0;
    const uid = isRoot ? own.base : undefined;
    // The sandboxed script starts a grandchild in its own session too, like a daemon would.
    const inner = `import subprocess, time\nsubprocess.Popen(["/usr/bin/sleep", "${marker}"], start_new_session=True)\ntime.sleep(1000)`;
    const plan = launchPlan(TEST_BACKEND, binary, {
      command: ['/usr/bin/python3', '-I', '-c', inner],
      binds: [],
      network: { mode },
      limits: { tmpfsBytes: 2 ** 20 },
      uid,
      gid: uid,
      seccompFd: undefined,
      env: sandboxEnvForTests(),
      pasta: which('pasta'),
    });
    // A stand-in "server": a process that launches the sandbox as the runner does, then is
    // SIGKILLed without any chance to clean up.
    const server = spawn(
      '/usr/bin/python3',
      [
        '-I',
        '-c',
        'import subprocess, sys, time\nsubprocess.Popen(sys.argv[1:])\ntime.sleep(1000)',
        plan.file,
        ...plan.args,
      ],
      { stdio: 'ignore', ...(plan.uid !== undefined ? { uid: plan.uid, gid: plan.uid } : {}) },
    );
    for (let i = 0; i < 100 && withMarker(marker).length < processes; i++) await sleep(50);
    expect(withMarker(marker).length).toBe(processes);
    server.kill('SIGKILL');
    for (let i = 0; i < 100 && withMarker(marker).length > 0; i++) await sleep(50);
    expect(withMarker(marker)).toEqual([]);
    if (isRoot) {
      // The setsid'd sleep too (zombies aside: dead, waiting for the host's init to reap them).
      for (let i = 0; i < 100 && processesOf([own.base]).length > 0; i++) await sleep(50);
      expect(processesOf([own.base])).toEqual([]);
    }
  });

  it('killOrphans() clears whatever a crash left running under the pool uids', async () => {
    const sandbox = createSandbox({
      backend: TEST_BACKEND,
      uidBase: own.base + 8,
      poolSize: 2,
      log: () => {},
    });
    if (process.getuid?.() !== 0) {
      expect(sandbox.killOrphans()).toBe(0); // no pool: nothing of ours to recognise
      return;
    }
    // A stand-in for a sandbox orphaned mid-start by a crashed server.
    const orphanUid = own.base + 9;
    const orphan = spawn('/usr/bin/sleep', ['1000'], {
      uid: orphanUid,
      gid: orphanUid,
      stdio: 'ignore',
    });
    for (let i = 0; i < 50 && processesOf([orphanUid]).length === 0; i++) await sleep(20);
    expect(processesOf(sandbox.uids).map((p) => p.name)).toEqual(['sleep']);
    expect(sandbox.killOrphans()).toBe(1);
    await new Promise((r) => orphan.on('close', r));
    expect(processesOf(sandbox.uids, true)).toEqual([]);
  });
});
