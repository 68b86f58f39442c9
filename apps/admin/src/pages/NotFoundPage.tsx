import { Link } from 'react-router';
import { PageTitle } from '../components/PageTitle';
import { UI } from '../paths';

export function NotFoundPage() {
  return (
    <section className="narrow">
      <PageTitle title="Page not found" />
      <h1>Page not found</h1>
      <p>
        There is no page at this address. Go to the <Link to={UI.overview}>overview</Link>.
      </p>
    </section>
  );
}
