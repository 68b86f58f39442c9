/**
 * Starting one sandbox process: the backend's command line (behind the cgroup gate when the run
 * is accounted), its stdio (stdout, stderr, the control channel on fd 3, the seccomp filter on
 * fd 4), and the move into the run's cgroup. Used for a run started on demand and for one
 * started ahead of demand by the warm pool (`warm-pool.ts`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { type LaunchRequest, launchPlan } from './backends.js';
import type { RunCgroup } from './cgroups.js';
import type { BackendName } from './types.js';

/**
 * The gate in front of an accounted run's launcher: it waits for one line on stdin (sent once
 * the runner has moved it into the run's cgroup), then becomes the launcher, so every process
 * of the sandbox starts inside the cgroup. EOF (the runner died) exits without launching.
 */
const GATE = 'read -r _ || exit 125; exec "$0" "$@" </dev/null';

export interface Spawned {
  proc: ChildProcess;
  /**
   * Settles once the sandbox may start: resolved when it is in its cgroup (at once without
   * accounting), rejected when it cannot be moved there (the gate then never launches).
   */
  joined: Promise<void>;
}

/**
 * Spawns the sandbox for `req`. Throws when the process cannot be spawned at all.
 *
 * @example
 * const { proc, joined } = spawnSandbox('bwrap', '/usr/bin/bwrap', req, cgroup, seccompPath);
 */
export function spawnSandbox(
  backend: BackendName,
  binary: string,
  req: LaunchRequest,
  cgroup: RunCgroup | undefined,
  seccompPath: string | undefined,
): Spawned {
  let seccompFd: number | undefined;
  try {
    if (seccompPath !== undefined) {
      seccompFd = openSync(seccompPath, 'r');
      req.seccompFd = 4;
    }
    const launcher = launchPlan(backend, binary, req);
    const plan = cgroup
      ? { ...launcher, file: '/bin/sh', args: ['-c', GATE, launcher.file, ...launcher.args] }
      : launcher;
    const stdio: Array<'ignore' | 'pipe' | number> = [
      cgroup ? 'pipe' : 'ignore',
      'pipe',
      'pipe',
      'pipe',
    ];
    if (seccompFd !== undefined) stdio.push(seccompFd);
    const proc = spawn(plan.file, plan.args, {
      env: plan.env,
      stdio,
      ...(plan.uid !== undefined ? { uid: plan.uid } : {}),
      ...(plan.gid !== undefined ? { gid: plan.gid } : {}),
      detached: backend === 'unconfined-dev',
    });
    // EPIPE if the gate is already gone (killed meanwhile): its exit tells the outcome.
    proc.stdin?.on('error', () => {});
    const joined: Promise<void> =
      cgroup === undefined
        ? Promise.resolve()
        : proc.pid === undefined
          ? Promise.reject(new Error('no pid'))
          : cgroup.join(proc.pid).then(() => {
              proc.stdin?.end('go\n');
            });
    // Not accounted: the gate never launches (its stdin closes without a line).
    joined.catch(() => proc.stdin?.destroy());
    return { proc, joined };
  } finally {
    if (seccompFd !== undefined) closeSync(seccompFd);
  }
}
