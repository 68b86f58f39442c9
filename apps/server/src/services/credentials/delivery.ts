/**
 * How a credential's value reaches a script: `inject` (the value in `settings[NAME]`, scrubbed
 * from output) or `broker` (a placeholder in `settings[NAME]`; the egress proxy puts the value
 * into requests to the bound hosts only, so it never enters the sandbox). Set by the admin.
 */
import { PolicyError, parseBrokerHosts } from '@airlock/egress';
import { AppError } from '../../errors.js';

export type Delivery = { mode: 'inject' } | { mode: 'broker'; hosts: string[] };

export const INJECT: Readonly<Delivery> = Object.freeze({ mode: 'inject' });

/** Validates a delivery from untrusted input (a request body, an import). */
export function parseDelivery(input: unknown): Delivery {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new PolicyError('delivery must be an object {mode, hosts}');
  const { mode, hosts, ...rest } = input as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new PolicyError(`unknown field "${extra[0]}" in delivery`);
  if (mode === 'inject') {
    if (hosts !== undefined) throw new PolicyError('an injected credential takes no hosts');
    return { mode: 'inject' };
  }
  if (mode === 'broker') return { mode: 'broker', hosts: parseBrokerHosts(hosts) };
  throw new PolicyError('delivery mode must be "inject" or "broker"');
}

/** The same, as a 422 naming the problem. */
export function validDelivery(input: unknown): Delivery {
  try {
    return parseDelivery(input);
  } catch (e) {
    if (e instanceof PolicyError) {
      throw new AppError('VALIDATION', [
        {
          type: 'value_error',
          loc: ['body', 'delivery', ...(e.entry === undefined ? [] : ['hosts'])],
          msg: e.message,
          input: e.entry ?? input,
        },
      ]);
    }
    throw e;
  }
}

/** Parsed stored deliveries by their text: most instances hold a handful of distinct ones. */
const parsedDeliveries = new Map<string, Delivery>();
const PARSED_DELIVERIES_MAX = 256;

/**
 * The stored delivery of a credential. A row that does not parse (edited by hand) reads as
 * brokered to no host at all: the value then goes nowhere (fail closed). Parsed once per
 * distinct text (reads list every credential); each caller gets its own copy.
 */
export function storedDelivery(row: { delivery: string }): Delivery {
  let d = parsedDeliveries.get(row.delivery);
  if (d === undefined) {
    try {
      d = parseDelivery(JSON.parse(row.delivery));
    } catch {
      d = { mode: 'broker', hosts: [] };
    }
    if (parsedDeliveries.size >= PARSED_DELIVERIES_MAX) parsedDeliveries.clear();
    parsedDeliveries.set(row.delivery, d);
  }
  return d.mode === 'inject' ? { mode: 'inject' } : { mode: 'broker', hosts: [...d.hosts] };
}
