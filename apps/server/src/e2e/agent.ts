import { signV1, signV2 } from '@airlock/auth';
import type { createTestContext } from '../test/harness.js';

type Ctx = ReturnType<typeof createTestContext>;

/** An agent as the contract describes it: signs with the public signer, posts, long-polls. */
export function agent(ctx: Ctx, key: { keyId: string; secret: string }) {
  async function submit(
    script: string,
    options: { version?: 1 | 2; timeout?: number; nonce?: string; timestamp?: number } = {},
  ) {
    const headers: Record<string, string> = {};
    let hash: string;
    if ((options.version ?? 2) === 2) {
      const signed = signV2(key.secret, script, {
        ...(options.nonce ? { nonce: options.nonce } : {}),
        timestamp: options.timestamp ?? Math.floor(ctx.clock().getTime() / 1000),
      });
      hash = signed.hash;
      Object.assign(headers, signed.headers);
    } else {
      hash = signV1(key.secret, script);
    }
    return ctx.call('POST', '/execute', {
      token: key.keyId,
      headers,
      body: { script, hash, ...(options.timeout ? { timeout: options.timeout } : {}) },
    });
  }

  /** Long-polls until the status is one of `until` (default: terminal). */
  async function waitFor(
    id: string,
    until: string[] = ['completed', 'error', 'timeout'],
    maxMs = 60_000,
  ) {
    const deadline = Date.now() + maxMs;
    for (let first = true; ; first = false) {
      // The first look is immediate; then long-poll (each returns at the next status change).
      const r = await ctx.call('GET', `/executions/${id}${first ? '' : '?wait=5'}`);
      if (until.includes(r.json.status)) return r.json;
      if (Date.now() > deadline) throw new Error(`execution ${id} still ${r.json.status}`);
      // In-process requests resolve on microtasks only: yield to the event loop's timers (the
      // sandbox's own limits run on them) before polling again.
      await new Promise((res) => setTimeout(res, 20));
    }
  }

  async function run(script: string, options: Parameters<typeof submit>[1] = {}) {
    const r = await submit(script, options);
    if (r.status !== 202) throw new Error(`execute: ${r.status} ${r.text}`);
    return waitFor(r.json.execution_id);
  }

  return { submit, waitFor, run };
}
