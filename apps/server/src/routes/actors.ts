import type { Context } from 'hono';
import type { AppEnv } from '../http/context.js';
import type { Actor } from '../services/audit/record.js';

/** An unauthenticated agent request (the contract's open agent endpoints). */
export function agentActor(c: Context<AppEnv>): Actor {
  return { type: 'agent', id: null, ip: c.get('clientIp') };
}
