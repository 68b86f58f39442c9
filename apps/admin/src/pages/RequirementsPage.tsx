import { useQuery } from '@tanstack/react-query';
import { profilesQuery } from '../api/queries/profiles';
import { requirementsQuery } from '../api/queries/requirements';
import { ErrorMessage } from '../components/ErrorMessage';
import { FailedInstalls } from '../components/FailedInstalls';
import { ImportablePackages } from '../components/ImportablePackages';
import { InstallPackagesForm } from '../components/InstallPackagesForm';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { shortId } from '../lib/format';

export function RequirementsPage() {
  const q = useQuery(requirementsQuery());
  const profiles = useQuery(profilesQuery());
  const profileName = (id: string) =>
    profiles.data?.find((p) => p.id === id)?.description || shortId(id);
  return (
    <>
      <PageTitle title="Requirements" />
      <h1>Requirements</h1>
      <p className="lead">
        The Python packages scripts can import. An agent’s install (<code>POST /requirements</code>,
        signed with a locked profile’s key) is importable by that profile’s scripts only; what you
        install here can be for every profile. Installs run confined; their only network is the
        package index.
      </p>
      <InstallPackagesForm
        profiles={(profiles.data ?? [])
          .filter((p) => !p.revoked)
          .map((p) => ({ id: p.id, name: profileName(p.id) }))}
      />
      {q.isPending ? <Loading what="packages" /> : null}
      {q.isError ? <ErrorMessage error={q.error} title="Could not list packages" /> : null}
      {q.data ? <FailedInstalls failures={q.data.failures} profileName={profileName} /> : null}
      {q.data ? <ImportablePackages data={q.data} profileName={profileName} /> : null}
    </>
  );
}
