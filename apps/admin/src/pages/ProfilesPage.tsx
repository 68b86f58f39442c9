import { useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { profilesQuery, useCreateProfile } from '../api/queries/profiles';
import { AgentMark } from '../components/AgentMark';
import { ProfileBadge } from '../components/Badges';
import { ErrorMessage } from '../components/ErrorMessage';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { TableBox } from '../components/TableBox';
import { Time } from '../components/Time';
import { localInputToIso, shortId } from '../lib/format';
import { UI } from '../paths';

export function ProfilesPage() {
  const list = useQuery(profilesQuery());
  return (
    <>
      <PageTitle title="Profiles" />
      <h1>Profiles</h1>
      <p className="lead">
        A profile is what an agent holds: a set of credentials its scripts may use, and once locked,
        a key to sign requests with.
      </p>
      <CreateProfileForm />
      <h2>All profiles</h2>
      {list.isPending ? <Loading what="profiles" /> : null}
      {list.isError ? <ErrorMessage error={list.error} title="Could not load profiles" /> : null}
      {list.data?.length === 0 ? (
        <p className="empty">
          No profiles yet. Create one above, attach credentials, then lock it to get its key.
        </p>
      ) : null}
      {list.data && list.data.length > 0 ? (
        <TableBox label="All profiles">
          <table>
            <thead>
              <tr>
                <th scope="col">Profile</th>
                <th scope="col">State</th>
                <th scope="col">Credentials</th>
                <th scope="col">Key id</th>
                <th scope="col">Expires</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    <Link to={UI.profile(p.id)}>{p.description || `Profile ${shortId(p.id)}`}</Link>{' '}
                    <AgentMark createdBy={p.created_by} />
                    <div className="muted mono small">{p.id}</div>
                  </th>
                  <td>
                    <ProfileBadge profile={p} />
                  </td>
                  <td>
                    {p.credentials.length === 0 ? (
                      <span className="muted">none</span>
                    ) : (
                      p.credentials.map((c) => c.name).join(', ')
                    )}
                    {p.credentials.some((c) => !c.has_value) ? (
                      <span className="badge badge-missing">values missing</span>
                    ) : null}
                  </td>
                  <td className="mono small">{p.key_id ?? '—'}</td>
                  <td>
                    <Time iso={p.expires_at} />
                  </td>
                  <td>
                    <Time iso={p.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      ) : null}
    </>
  );
}

function CreateProfileForm() {
  const create = useCreateProfile();
  const navigate = useNavigate();
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const expires = localInputToIso(String(f.get('expires_at') ?? ''));
    create.mutate(
      {
        description: String(f.get('description') ?? ''),
        require_signature_v2: f.get('require_v2') === 'on',
        ...(expires ? { expires_at: expires } : {}),
      },
      { onSuccess: (p) => navigate(UI.profile(p.id)) },
    );
  };
  return (
    <section className="card" aria-labelledby="new-profile">
      <h2 id="new-profile">New profile</h2>
      <form onSubmit={onSubmit} className="grid-form">
        <div>
          <label htmlFor="profile-description">Description</label>
          <input
            id="profile-description"
            name="description"
            maxLength={2000}
            placeholder="Billing agent: read-only Stripe"
          />
        </div>
        <div>
          <label htmlFor="profile-expires">Expires (optional)</label>
          <input
            id="profile-expires"
            name="expires_at"
            type="datetime-local"
            aria-describedby="profile-expires-help"
          />
          <p id="profile-expires-help" className="help">
            Your local time. Empty: valid until revoked.
          </p>
        </div>
        <div className="check-cell">
          <label className="check">
            <input type="checkbox" name="require_v2" />
            Require replay-protected (v2) signatures
          </label>
        </div>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create profile'}
          </button>
        </div>
      </form>
      <ErrorMessage error={create.error} />
    </section>
  );
}
