import type { AppDeps } from '../../deps.js';
import { credentialValueContext, openText } from '../../lib/sealed.js';
import { isRedactable } from '../redaction-policy.js';
import { type CredentialRow, listCredentialRows, profilesUsing } from './queries.js';
import { adminCredentialView, agentCredentialView } from './views.js';

/** `GET /credentials`: every slot, sorted by name, without values. */
export function listCredentialsForAgent(deps: Pick<AppDeps, 'db'>) {
  return listCredentialRows(deps.db).map(agentCredentialView);
}

/** The admin view of one credential: value status, redactability, the profiles using it. */
export function adminCredential(deps: Pick<AppDeps, 'db' | 'keyring'>, row: CredentialRow) {
  return adminCredentialView(row, {
    usedBy: profilesUsing(deps.db, row.id),
    redactable:
      row.value === null
        ? null
        : isRedactable(openText(deps.keyring, row.value, credentialValueContext(row.id))),
  });
}

/** `GET /api/admin/credentials`. */
export function listCredentialsForAdmin(deps: Pick<AppDeps, 'db' | 'keyring'>) {
  return listCredentialRows(deps.db).map((row) => adminCredential(deps, row));
}
