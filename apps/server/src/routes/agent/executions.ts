import { executionStatuses } from '@airlock/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { AppDeps } from '../../deps.js';
import type { AppEnv } from '../../http/context.js';
import { requireSignedRequest, signedProfile } from '../../http/signed-call.js';
import { validationHook } from '../../http/validation.js';
import { baseUrl } from '../../lib/base-url.js';
import { exactJson, stringifyExact } from '../../lib/exact-json.js';
import { listExecutions } from '../../services/executions/list.js';
import { LIVE_HOLDBACK_BYTES, type LiveEvent } from '../../services/executions/live.js';
import { getExecution, pendingExchange, TERMINAL } from '../../services/executions/queries.js';
import { respondToExecution } from '../../services/executions/respond.js';
import { waitUntilSettled } from '../../services/executions/settle.js';
import { startExecution } from '../../services/executions/start.js';
import { listItemView, pollView } from '../../services/executions/views.js';
import { authenticateProfileKey } from '../../services/profiles/authenticate.js';
import { errorResponses, json, jsonBody, NetworkAttemptSchema } from '../schemas.js';

/** Longest a poll may be held (`?wait=`), seconds. */
export const MAX_POLL_WAIT_SECONDS = 60;

const Accepted = z
  .object({ execution_id: z.string(), poll_url: z.string(), status: z.enum(executionStatuses) })
  .openapi('ExecutionAccepted');

const Poll = z
  .object({
    execution_id: z.string(),
    status: z.enum(executionStatuses),
    llm_request: z.object({ prompt: z.string(), model: z.string() }).optional(),
    prompt: z.string().optional(),
    result: z.unknown().optional(),
    stdout: z.string().optional(),
    stderr: z.string().optional(),
    error: z.string().nullable().optional(),
    execution_time_ms: z.number().nullable().optional(),
    network: z.array(NetworkAttemptSchema).optional().openapi({
      description: "Terminal only: the script's connection attempts and their verdicts",
    }),
  })
  .openapi('ExecutionPoll');

const Id = z
  .string()
  .max(100)
  .openapi({ param: { name: 'id', in: 'path' }, example: 'exec_…' });

export function agentExecutionRoutes(deps: AppDeps) {
  const execute = createRoute({
    method: 'post',
    path: '/execute',
    tags: ['agent'],
    summary: 'Run a signed script with the profile’s credentials',
    description:
      'Authorization: Bearer <key id>. `hash` = hex HMAC-SHA256 of the script under the key secret (v1), or of `AIRLOCK/2 EXECUTE\\ntimestamp\\nnonce\\nscript` with X-Airlock-Timestamp and X-Airlock-Nonce (v2, replay-protected; a v1 script may not start with AIRLOCK/). A retried v2 request (same nonce) returns the original execution with 200.',
    request: {
      query: z.object({
        wait: z.coerce
          .number()
          .min(0)
          .max(3600)
          .optional()
          .openapi({
            description: `Seconds (at most ${MAX_POLL_WAIT_SECONDS}): answer 200 with the poll body as soon as the execution is finished or awaiting_llm, else 202 when the wait ends`,
          }),
      }),
      body: jsonBody(
        z.object({
          script: z.string().min(1, 'Script must not be empty').max(1_000_000),
          hash: z.string().max(1000),
          timeout: z
            .number()
            .int()
            .min(1)
            .max(deps.config.maxTimeoutSeconds)
            .optional()
            .openapi({
              description: `Seconds, 1..${deps.config.maxTimeoutSeconds} (default ${deps.config.defaultTimeoutSeconds})`,
            }),
        }),
      ),
    },
    responses: {
      202: json(Accepted, 'Accepted and queued (with ?wait=: not settled within the wait)'),
      200: json(
        z.union([Accepted, Poll]),
        'With ?wait=: the poll body (finished or awaiting_llm). Without: a retried version-2 request, the original execution',
      ),
      ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429),
    },
  });

  const poll = createRoute({
    method: 'get',
    path: '/executions/{id}',
    tags: ['agent'],
    summary: 'Poll an execution; `?wait=N` holds the request until its status changes (≤ 60 s)',
    request: {
      params: z.object({ id: Id }),
      query: z.object({ wait: z.coerce.number().min(0).max(3600).optional() }),
    },
    responses: { 200: json(Poll, 'The execution'), ...errorResponses(404, 422) },
  });

  const events = createRoute({
    method: 'get',
    path: '/executions/{id}/events',
    tags: ['agent'],
    summary: 'Live events of an execution (Server-Sent Events), resumable with Last-Event-ID',
    description: `Events: \`status\` {status}, \`llm_request\` {prompt, model}, \`stdout\` / \`stderr\` {text} (redacted as produced; the last ${LIVE_HOLDBACK_BYTES} bytes of each stream are held back until more follows or the run ends, whatever they are), and \`end\` with the terminal poll body, after which the stream closes. Each event has an id; reconnect with \`Last-Event-ID\` (or \`?last_event_id=\`) to resume after it. An execution that finished more than a minute ago (or before a restart) sends only \`end\`.`,
    request: {
      params: z.object({ id: Id }),
      query: z.object({ last_event_id: z.coerce.number().int().min(0).optional() }),
    },
    responses: {
      200: {
        description: 'text/event-stream',
        content: { 'text/event-stream': { schema: z.string() } },
      },
      ...errorResponses(404, 422),
    },
  });

  const respond = createRoute({
    method: 'post',
    path: '/executions/{id}/respond',
    tags: ['agent'],
    summary: 'Answer a paused llm.complete',
    request: {
      params: z.object({ id: Id }),
      body: jsonBody(z.object({ response: z.string().max(1_000_000) })),
    },
    responses: {
      200: json(z.object({ execution_id: z.string(), status: z.literal('running') }), 'Resumed'),
      ...errorResponses(404, 409, 422),
    },
  });

  const list = createRoute({
    method: 'get',
    path: '/executions',
    tags: ['agent'],
    summary:
      'This profile’s executions, newest first: a request signed with the key secret (Authorization: Bearer <key id>, X-Airlock-Timestamp, X-Airlock-Nonce, X-Airlock-Signature)',
    request: {
      query: z.object({
        status: z.enum(executionStatuses).optional(),
        limit: z.coerce.number().int().min(1).max(100).default(50),
        offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
      }),
    },
    responses: {
      200: json(
        z.object({
          executions: z.array(
            z.object({
              execution_id: z.string(),
              status: z.enum(executionStatuses),
              execution_time_ms: z.number().nullable(),
              created_at: z.string(),
              completed_at: z.string().nullable(),
            }),
          ),
        }),
        'Executions',
      ),
      ...errorResponses(401, 422),
    },
  });

  // Authentication comes before input validation (contract order): a request without a valid
  // key gets its 401 even when its body or query is also wrong.
  const authenticateFirst: typeof validationHook = (result, c) => {
    if (!result.success) authenticateProfileKey(deps, c.req.header('authorization'));
    return validationHook(result, c);
  };

  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use('/executions', requireSignedRequest(deps, 'GET'));
  return app
    .openapi(
      execute,
      async (c) => {
        const body = c.req.valid('json');
        const wait = Math.min(c.req.valid('query').wait ?? 0, MAX_POLL_WAIT_SECONDS);
        const { row, created } = startExecution(deps, {
          authorization: c.req.header('authorization'),
          script: body.script,
          hash: body.hash,
          timeoutSeconds: body.timeout ?? deps.config.defaultTimeoutSeconds,
          timestamp: c.req.header('x-airlock-timestamp'),
          nonce: c.req.header('x-airlock-nonce'),
          clientIp: c.get('clientIp'),
        });
        // One round trip for the common case: hold the answer until there is something to do.
        if (wait > 0) {
          const settled = await waitUntilSettled(deps, row.id, wait * 1000, c.req.raw.signal);
          if (settled)
            return exactJson(c, pollView(settled, pendingExchange(deps.db, row.id))) as never;
        }
        const now = wait > 0 ? getExecution(deps.db, row.id) : row;
        const accepted = {
          execution_id: row.id,
          poll_url: `${baseUrl(c, deps.config)}/executions/${row.id}`,
          status: now.status,
        };
        return created ? c.json(accepted, 202) : c.json(accepted, 200);
      },
      authenticateFirst,
    )
    .openapi(poll, async (c) => {
      const { id } = c.req.valid('param');
      const wait = Math.min(c.req.valid('query').wait ?? 0, MAX_POLL_WAIT_SECONDS);
      let row = getExecution(deps.db, id);
      // Held only while there is nothing for the agent to do: an execution waiting for an LLM
      // answer (or finished) is returned at once.
      if (wait > 0 && !TERMINAL.has(row.status) && row.status !== 'awaiting_llm') {
        await deps.executions.waitForChange(id, wait * 1000, c.req.raw.signal);
        row = getExecution(deps.db, id);
      }
      // The Poll shape, written with the result's numbers exactly as the script produced them
      // (c.json would round them); the cast only tells the router it is that response.
      return exactJson(c, pollView(row, pendingExchange(deps.db, id))) as never;
    })
    .openapi(events, (c) => {
      const { id } = c.req.valid('param');
      getExecution(deps.db, id); // 404 for an unknown id
      const header = Number.parseInt(c.req.header('last-event-id') ?? '', 10);
      const after = Number.isFinite(header) ? header : (c.req.valid('query').last_event_id ?? 0);
      return streamSSE(c, async (stream) => {
        const live = deps.executions.live(id);
        if (!live) {
          // Finished more than a minute ago or before a restart: the body says all. Otherwise
          // (not started here yet) the current status, and the client retries.
          const now = getExecution(deps.db, id);
          if (TERMINAL.has(now.status))
            await stream.writeSSE({
              event: 'end',
              data: stringifyExact(pollView(now, pendingExchange(deps.db, id))),
            });
          else
            await stream.writeSSE({
              event: 'status',
              data: JSON.stringify({ status: now.status }),
              retry: 1000,
            });
          return;
        }
        await new Promise<void>((resolve) => {
          const queue: LiveEvent[] = [];
          let writing = false;
          const flush = async () => {
            if (writing) return;
            writing = true;
            while (queue.length > 0) {
              const e = queue.shift() as LiveEvent;
              await stream.writeSSE({
                id: String(e.id),
                event: e.event,
                data: stringifyExact(e.data),
              });
              if (e.event === 'end') {
                stop();
                return resolve();
              }
            }
            writing = false;
          };
          const unsubscribe = live.subscribe(after, (e) => {
            queue.push(e);
            void flush().catch(() => {
              stop();
              resolve();
            });
          });
          // A comment now and then keeps proxies from closing an idle stream.
          const beat = setInterval(
            () => void stream.write(': keep-alive\n\n').catch(() => {}),
            15_000,
          );
          const stop = () => {
            clearInterval(beat);
            unsubscribe();
          };
          stream.onAbort(() => {
            stop();
            resolve();
          });
        });
      });
    })
    .openapi(respond, (c) =>
      c.json(respondToExecution(deps, c.req.valid('param').id, c.req.valid('json').response), 200),
    )
    .openapi(list, (c) => {
      const profile = signedProfile(c);
      const q = c.req.valid('query');
      const { rows } = listExecutions(deps.db, {
        profileId: profile.id,
        status: q.status,
        limit: q.limit,
        offset: q.offset,
      });
      return c.json({ executions: rows.map(listItemView) }, 200);
    });
}
