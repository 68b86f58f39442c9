/**
 * Late binding for pooled sandboxes (ADR 0088): a pooled sandbox is started before any run
 * claims it, so what a run's network needs (its egress proxy socket, and for brokered runs the
 * trust bundle with the instance CA) cannot be bound then. Each pooled sandbox gets a slot
 * instead: a host directory of its own, bound read-only at `INSIDE.slotDir`, and a bundle file
 * in it bound over the system bundle. The claiming run links its proxy socket into the slot (a
 * hard link of the socket file: `connect()` finds the listener by inode) and writes its bundle
 * into the bound file in place. A run without network leaves the slot empty: the sandbox has no
 * way out, as a cold one.
 */
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { INSIDE } from './backends.js';

const SOCKET = 'egress.sock';
const BUNDLE = 'trust.pem';

/** What a sandbox trusts without a bundle of its run: the host's system roots (as cold). */
function systemBundle(): Buffer {
  try {
    return readFileSync(INSIDE.trustBundle);
  } catch {
    return Buffer.alloc(0);
  }
}

/**
 * Creates slot `dir` afresh, and the slots directory it is in, both 0711 (reachable by the
 * sandbox's uid, not listable) whatever the process umask; the directories above must be
 * reachable already (the caller's).
 */
export function prepareSlot(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  for (const d of [dirname(dir), dir]) {
    mkdirSync(d, { recursive: true });
    chmodSync(d, 0o711);
  }
  const bundle = join(dir, BUNDLE);
  writeFileSync(bundle, systemBundle());
  chmodSync(bundle, 0o644);
}

/** The binds a slot adds to a pooled sandbox. */
export function slotBinds(dir: string): { src: string; dest: string }[] {
  return [
    { src: dir, dest: INSIDE.slotDir },
    { src: join(dir, BUNDLE), dest: INSIDE.trustBundle },
  ];
}

/**
 * Gives a claimed sandbox its run's network: the proxy socket, and the run's bundle when it has
 * one. Throws when the socket cannot be linked (another filesystem): the run then starts cold.
 */
export function bindSlot(dir: string, network: { socket: string; trust?: string }): void {
  linkSync(network.socket, join(dir, SOCKET));
  if (network.trust !== undefined) writeFileSync(join(dir, BUNDLE), readFileSync(network.trust));
}

/** Removes a slot once its sandbox is gone (off the event loop: a few ms per run otherwise). */
export async function removeSlot(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
