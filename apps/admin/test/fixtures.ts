import type { AdminCredential, AdminProfile, ExecutionSummary } from '../src/api/types';

/** A row of the admin executions list, as the server sends it. */
export const run = (over: Partial<ExecutionSummary> = {}): ExecutionSummary => ({
  execution_id: 'exec_00000000000000000000000000000001',
  profile_id: 'p1',
  key_id: 'ark_k',
  status: 'completed',
  signature_version: 2,
  execution_time_ms: 1234,
  created_at: '2026-11-28T12:00:00Z',
  started_at: '2026-11-28T12:00:00Z',
  completed_at: '2026-11-28T12:00:01Z',
  script_first_line: 'import json',
  cancelled: false,
  error_summary: null,
  pruned_at: null,
  ...over,
});

/** A profile as the admin API sends it (unlocked, two credentials, no network). */
export const adminProfile = (over: Partial<AdminProfile> = {}): AdminProfile => ({
  id: '0b4c2f4e-1111-4222-8333-944445555666',
  description: 'Billing agent',
  locked: false,
  key_id: null,
  credentials: [
    { name: 'STRIPE_KEY', description: '', has_value: true, delivery: { mode: 'inject' } },
    { name: 'DB_URL', description: '', has_value: false, delivery: { mode: 'inject' } },
  ],
  network: { mode: 'none', allow: [] },
  expires_at: null,
  expired: false,
  revoked: false,
  require_signature_v2: false,
  locked_at: null,
  revoked_at: null,
  created_by: 'admin',
  created_at: '2026-11-28T12:00:00Z',
  updated_at: '2026-11-28T12:00:00Z',
  ...over,
});

/** A credential as the admin API lists it (with a value, injected, unused). */
export const adminCredential = (over: Partial<AdminCredential> = {}): AdminCredential => ({
  id: `cred-${over.name ?? 'X'}`,
  name: 'X',
  description: '',
  has_value: true,
  delivery: { mode: 'inject' },
  redactable: true,
  value_updated_at: '2026-11-28T12:00:00Z',
  used_by: [],
  created_by: 'admin',
  created_at: '2026-11-28T12:00:00Z',
  updated_at: '2026-11-28T12:00:00Z',
  ...over,
});
