/**
 * The audit log in plain words: each record as a sentence ("Admin locked profile ‘Billing’"),
 * with the names of what it is about looked up now (a deleted object says so), and links the
 * admin UI follows. One catalogue of actions serves the sentences, the filter's labels and the
 * CSV export, so they cannot disagree.
 */
import { auditLog, credentials, executions, profiles, SHARED_SCOPE } from '@airlock/db';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbLike } from '../../lib/db.js';
import type { AuditRow } from './list.js';

/** The objects a sentence links to. */
export const auditRefTypes = ['credential', 'profile', 'execution'] as const;
export type AuditRefType = (typeof auditRefTypes)[number];

/** One piece of a sentence: text, which links to an object when `ref` is set. */
export interface AuditPart {
  text: string;
  ref: { type: AuditRefType; id: string } | null;
}

type Detail = Record<string, unknown>;

/** What the sentences read about the objects they name: looked up once per page of records. */
export interface AuditNames {
  credentialById: Map<string, string>;
  credentialByName: Map<string, string>;
  profiles: Map<string, string>;
  /** Key id → the profile that holds or held it. */
  profileOfKey: Map<string, string>;
  executions: Set<string>;
}

const text = (t: string): AuditPart => ({ text: t, ref: null });

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** `0b4c2f4e-1111-…` → `0b4c2f4e…`; a typed id keeps its type: `exec_2ad41f9c…`, `ark_q0xf78ep…`. */
function short(id: string): string {
  const [, prefix = '', rest = id] = /^([a-z]+_)?(.*)$/s.exec(id) ?? [];
  return rest.length > 12 ? `${prefix}${rest.slice(0, 8)}…` : id;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `a`, `a and b`, `a, b and c`, as parts (each may link). */
function listed(items: AuditPart[][]): AuditPart[] {
  return items.flatMap((item, i) => [
    ...(i === 0 ? [] : [text(i === items.length - 1 ? ' and ' : ', ')]),
    ...item,
  ]);
}

function credentialPart(n: AuditNames, id: string | null, name: string | undefined): AuditPart[] {
  if (id) {
    const current = n.credentialById.get(id);
    if (current !== undefined) return [{ text: current, ref: { type: 'credential', id } }];
  } else if (name) {
    // Records that name credentials (attach, slots) link to the one of that name now.
    const found = n.credentialByName.get(name);
    if (found) return [{ text: name, ref: { type: 'credential', id: found } }];
  }
  return [text(`${name ?? (id ? short(id) : 'unknown')} (deleted)`)];
}

function credentialsPart(n: AuditNames, names: string[], noun = 'credential'): AuditPart[] {
  return [
    text(`${noun}${names.length === 1 ? '' : 's'} `),
    ...listed(names.map((name) => credentialPart(n, null, name))),
  ];
}

/** `‘Billing agent’` (its description), or its short id when it has none. */
function profilePart(n: AuditNames, id: string): AuditPart[] {
  const description = n.profiles.get(id);
  if (description === undefined) return [text(`profile ${short(id)} (deleted)`)];
  return [
    text('profile '),
    { text: description ? `‘${description}’` : short(id), ref: { type: 'profile', id } },
  ];
}

function executionPart(n: AuditNames, id: string, noun = 'execution'): AuditPart[] {
  if (!n.executions.has(id)) return [text(`${noun} ${short(id)} (deleted)`)];
  return [text(`${noun} `), { text: short(id), ref: { type: 'execution', id } }];
}

function scopePart(n: AuditNames, scope: string | undefined): AuditPart[] {
  if (scope === undefined || scope === SHARED_SCOPE) return [text('every profile')];
  return profilePart(n, scope);
}

/** Who acted, as the sentence's subject. */
function actorPart(n: AuditNames, row: AuditRow): AuditPart[] {
  switch (row.actorType) {
    case 'admin':
      return [text('Admin')];
    case 'system':
      return [text('Airlock')];
    case 'agent':
      return [text('An agent (no key)')];
    case 'profile': {
      if (!row.actorId) return [text('An agent')];
      const profile = n.profileOfKey.get(row.actorId);
      const key = text(`Agent with key ${short(row.actorId)}`);
      return profile ? [key, text(' of '), ...profilePart(n, profile)] : [key];
    }
  }
}

interface ActionKind {
  /** The filter's words for it: what happened, without who did it. */
  label: string;
  /** The whole sentence; `actor` is who acted, already worded (see `actorPart`). */
  words: (n: AuditNames, row: AuditRow, d: Detail, actor: AuditPart[]) => AuditPart[];
}

/** Groups of the filter's choices: an action's group is the part before its dot. */
const AUDIT_GROUPS: Record<string, string> = {
  admin: 'Admin account',
  credential: 'Credentials',
  profile: 'Profiles',
  execution: 'Executions',
  requirements: 'Packages',
  state: 'Export and import',
  egress_ca: 'Egress certificate',
};

const target = (row: AuditRow) => row.targetId ?? '';

/** `profile.update` records the fields of `updateProfile`'s input it was given. */
const PROFILE_FIELDS: Record<string, string> = {
  description: 'description',
  expiresAt: 'expiry',
  requireSignatureV2: 'replay protection',
};

/** The installer's reasons for a failure (`@airlock/sandbox`), briefly. */
const INSTALL_REASONS: Record<string, string> = {
  failed: 'pip failed',
  timeout: 'it took too long',
  rejected: 'what pip left behind broke the limits',
  invalid: 'invalid package specs',
};

/** Every action the server records, by name. An unknown one still reads as a sentence. */
const ACTIONS: Record<string, ActionKind> = {
  'admin.setup': {
    label: 'First-visit setup',
    words: (_n, _r, _d, a) => [...a, text(' completed first-visit setup and set the password')],
  },
  'admin.preset_password': {
    label: 'Password preset at startup',
    words: () => [text('Airlock set the admin password from its environment at startup')],
  },
  'admin.login': { label: 'Signed in', words: (_n, _r, _d, a) => [...a, text(' signed in')] },
  'admin.login_failed': {
    label: 'Sign-in refused',
    words: () => [text('A sign-in with a wrong password was refused')],
  },
  'admin.logout': { label: 'Signed out', words: (_n, _r, _d, a) => [...a, text(' signed out')] },
  'admin.password_changed': {
    label: 'Password changed',
    words: (_n, _r, _d, a) => [
      ...a,
      text(' changed the admin password (every other session ended)'),
    ],
  },
  'credential.create': {
    label: 'Credential created',
    words: (n, r, d, a) => [
      ...a,
      text(' created credential '),
      ...credentialPart(n, target(r), str(d.name)),
      text(d.with_value === true ? ' with a value' : ' without a value'),
      text(d.delivery === 'broker' ? ', brokered' : ''),
    ],
  },
  'credential.create_slots': {
    label: 'Credential slots requested',
    words: (n, _r, d, a) => [
      ...a,
      text(' asked for '),
      ...credentialsPart(n, strs(d.created), 'credential slot'),
    ],
  },
  'credential.set_value': {
    label: 'Credential value set',
    words: (n, r, d, a) => [
      ...a,
      text(' set the value of credential '),
      ...credentialPart(n, target(r), str(d.name)),
    ],
  },
  'credential.clear_value': {
    label: 'Credential value cleared',
    words: (n, r, d, a) => [
      ...a,
      text(' cleared the value of credential '),
      ...credentialPart(n, target(r), str(d.name)),
    ],
  },
  'credential.update': {
    label: 'Credential description changed',
    words: (n, r, d, a) => [
      ...a,
      text(' changed the description of credential '),
      ...credentialPart(n, target(r), str(d.name)),
    ],
  },
  'credential.delivery': {
    label: 'Credential delivery changed',
    words: (n, r, d, a) => [
      ...a,
      text(' set credential '),
      ...credentialPart(n, target(r), str(d.name)),
      text(
        d.mode === 'broker'
          ? ` to be brokered to ${strs(d.hosts).join(', ') || 'no host'}`
          : ' to be injected into settings',
      ),
    ],
  },
  'credential.delete': {
    label: 'Credential deleted',
    words: (n, r, d, a) => [
      ...a,
      text(' deleted credential '),
      ...credentialPart(n, target(r), str(d.name)),
    ],
  },
  'profile.create': {
    label: 'Profile created',
    words: (n, r, _d, a) => [...a, text(' created '), ...profilePart(n, target(r))],
  },
  'profile.attach': {
    label: 'Credentials attached',
    words: (n, r, d, a) => [
      ...a,
      text(' attached '),
      ...credentialsPart(n, strs(d.credentials)),
      text(' to '),
      ...profilePart(n, target(r)),
    ],
  },
  'profile.detach': {
    label: 'Credentials detached',
    words: (n, r, d, a) => [
      ...a,
      text(' detached '),
      ...credentialsPart(n, strs(d.credentials)),
      text(' from '),
      ...profilePart(n, target(r)),
    ],
  },
  'profile.network': {
    label: 'Network policy set',
    words: (n, r, d, a) => [
      ...a,
      text(' set the network of '),
      ...profilePart(n, target(r)),
      text(
        d.mode === 'open'
          ? ' to any host'
          : d.mode === 'allowlist'
            ? ` to ${strs(d.allow).join(', ') || 'no host'} only`
            : ' to no network',
      ),
    ],
  },
  'profile.lock': {
    label: 'Profile locked',
    words: (n, r, _d, a) => [
      ...a,
      text(' locked '),
      ...profilePart(n, target(r)),
      text(' and was shown its key'),
    ],
  },
  'profile.regenerate_key': {
    label: 'Profile key replaced',
    words: (n, r, d, a) => {
      const old = str(d.previous_key_id);
      return [
        ...a,
        text(' replaced the key of '),
        ...profilePart(n, target(r)),
        text(old ? ` (key ${short(old)} stopped working)` : ''),
      ];
    },
  },
  'profile.update': {
    label: 'Profile changed',
    words: (n, r, d, a) => {
      const fields = [...new Set(strs(d.fields).map((f) => PROFILE_FIELDS[f] ?? f))];
      return [
        ...a,
        text(` changed the ${fields.join(' and ') || 'settings'} of `),
        ...profilePart(n, target(r)),
      ];
    },
  },
  'profile.revoke': {
    label: 'Profile revoked',
    words: (n, r, _d, a) => [...a, text(' revoked '), ...profilePart(n, target(r))],
  },
  'profile.delete': {
    label: 'Profile deleted',
    words: (n, r, _d, a) => [...a, text(' deleted '), ...profilePart(n, target(r))],
  },
  'execution.start': {
    label: 'Execution started',
    words: (n, r, _d, a) => [...a, text(' started '), ...executionPart(n, target(r))],
  },
  'execution.network': {
    label: 'Execution used the network',
    words: (n, r, d) => [
      ...executionPart(n, target(r), 'Execution'),
      text(
        ` used the network: ${plural(num(d.allowed), 'connection')} allowed, ${num(d.denied)} refused`,
      ),
      text(
        num(d.brokered_requests) > 0
          ? `, ${plural(num(d.brokered_requests), 'brokered request')}`
          : '',
      ),
    ],
  },
  'execution.cancel': {
    label: 'Execution cancelled',
    words: (n, r, _d, a) => [...a, text(' cancelled '), ...executionPart(n, target(r))],
  },
  'requirements.install': {
    label: 'Packages installed',
    words: (n, _r, d, a) => [
      ...a,
      text(` installed ${strs(d.packages).join(' ')} for `),
      ...scopePart(n, str(d.scope)),
    ],
  },
  'requirements.install_failed': {
    label: 'Package install failed',
    words: (n, _r, d, a) => [
      ...a,
      text(` could not install ${strs(d.packages).join(' ')} for `),
      ...scopePart(n, str(d.scope)),
      text(` (${INSTALL_REASONS[str(d.reason) ?? ''] ?? str(d.reason) ?? 'failed'})`),
    ],
  },
  'state.export': {
    label: 'Configuration exported',
    words: (_n, _r, d, a) => [
      ...a,
      text(
        ` exported ${plural(num(d.credentials), 'credential')} and ${plural(num(d.profiles), 'profile')}`,
      ),
    ],
  },
  'state.import': {
    label: 'Configuration imported',
    words: (_n, _r, d, a) => [
      ...a,
      text(
        ` imported ${plural(num(d.credentials_new), 'new credential')} and ${plural(num(d.profiles_new), 'new profile')} (duplicates: ${str(d.strategy) ?? 'skip'})`,
      ),
    ],
  },
  'egress_ca.rotate': {
    label: 'Egress certificate rotated',
    words: (_n, _r, _d, a) => [...a, text(' rotated the egress certificate authority')],
  },
};

/** The filter's choices: every action recorded, with its group and words. */
export function auditActionKinds(): { action: string; label: string; group: string }[] {
  return Object.entries(ACTIONS).map(([action, k]) => {
    const prefix = action.slice(0, action.indexOf('.'));
    return { action, label: k.label, group: AUDIT_GROUPS[prefix] ?? prefix };
  });
}

export function parseDetail(row: AuditRow): Detail | null {
  if (row.detail === null) return null;
  try {
    const d: unknown = JSON.parse(row.detail);
    return typeof d === 'object' && d !== null && !Array.isArray(d) ? (d as Detail) : null;
  } catch {
    return null;
  }
}

/** One record as a sentence, with the names in `names` (see {@link lookUpNames}). */
export function describeAudit(names: AuditNames, row: AuditRow): AuditPart[] {
  const actor = actorPart(names, row);
  const kind = ACTIONS[row.action];
  const parts = kind
    ? kind.words(names, row, parseDetail(row) ?? {}, actor)
    : [
        ...actor,
        text(` did ${row.action}`),
        text(row.targetType ? ` on ${row.targetType} ${row.targetId ?? ''}`.trimEnd() : ''),
      ];
  // Adjacent plain pieces joined: the UI renders one text node per piece.
  const merged: AuditPart[] = [];
  for (const p of parts) {
    const last = merged.at(-1);
    if (p.text === '') continue;
    if (last && last.ref === null && p.ref === null) last.text += p.text;
    else merged.push({ ...p });
  }
  return merged;
}

/** The sentence as plain text (the CSV export's). */
export function sentenceText(parts: AuditPart[]): string {
  return parts.map((p) => p.text).join('');
}

/** `IN (…)` lists kept well under SQLite's bound-parameter limit. */
const CHUNK = 500;
function chunked<T>(values: Iterable<string>, query: (chunk: string[]) => T[]): T[] {
  const all = [...new Set(values)];
  const out: T[] = [];
  for (let i = 0; i < all.length; i += CHUNK) out.push(...query(all.slice(i, i + CHUNK)));
  return out;
}

/**
 * The current names of every object `rows` mention, in a few queries: credentials (by id, and
 * by name for the records that name them), profiles (by id, and by the key ids agents acted
 * with, including keys since replaced), executions.
 */
export function lookUpNames(db: DbLike, rows: AuditRow[]): AuditNames {
  const credIds = new Set<string>();
  const credNames = new Set<string>();
  const profileIds = new Set<string>();
  const keyIds = new Set<string>();
  const executionIds = new Set<string>();
  for (const r of rows) {
    const d = parseDetail(r) ?? {};
    if (r.targetId && r.targetType === 'credential') credIds.add(r.targetId);
    if (r.targetId && r.targetType === 'profile') profileIds.add(r.targetId);
    if (r.targetId && r.targetType === 'execution') executionIds.add(r.targetId);
    for (const name of [...strs(d.created), ...strs(d.credentials)]) credNames.add(name);
    const scope = str(d.scope);
    if (r.action.startsWith('requirements.') && scope && scope !== SHARED_SCOPE)
      profileIds.add(scope);
    if (r.actorType === 'profile' && r.actorId) keyIds.add(r.actorId);
  }

  const profileOfKey = new Map<string, string>();
  for (const p of chunked(keyIds, (c) =>
    db
      .select({ id: profiles.id, keyId: profiles.keyId })
      .from(profiles)
      .where(inArray(profiles.keyId, c))
      .all(),
  ))
    if (p.keyId) profileOfKey.set(p.keyId, p.id);
  // A replaced key: its profile's `regenerate_key` record names it (only read when needed).
  const replaced = [...keyIds].filter((k) => !profileOfKey.has(k));
  const previous = sql<string>`json_extract(${auditLog.detail}, '$.previous_key_id')`;
  for (const r of chunked(replaced, (c) =>
    db
      .select({ profileId: auditLog.targetId, keyId: previous })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'profile.regenerate_key'), inArray(previous, c)))
      .all(),
  ))
    if (r.profileId) profileOfKey.set(r.keyId, r.profileId);
  for (const p of profileOfKey.values()) profileIds.add(p);

  const byId = chunked(credIds, (c) =>
    db
      .select({ id: credentials.id, name: credentials.name })
      .from(credentials)
      .where(inArray(credentials.id, c))
      .all(),
  );
  const byName = chunked(credNames, (c) =>
    db
      .select({ id: credentials.id, name: credentials.name })
      .from(credentials)
      .where(inArray(credentials.name, c))
      .all(),
  );
  const profileRows = chunked(profileIds, (c) =>
    db
      .select({ id: profiles.id, description: profiles.description })
      .from(profiles)
      .where(inArray(profiles.id, c))
      .all(),
  );
  const executionRows = chunked(executionIds, (c) =>
    db.select({ id: executions.id }).from(executions).where(inArray(executions.id, c)).all(),
  );
  return {
    credentialById: new Map(byId.map((c) => [c.id, c.name])),
    credentialByName: new Map(byName.map((c) => [c.name, c.id])),
    profiles: new Map(profileRows.map((p) => [p.id, p.description])),
    profileOfKey,
    executions: new Set(executionRows.map((e) => e.id)),
  };
}
