import { Link } from 'react-router';
import type { AuditPart } from '../api/types';
import { UI } from '../paths';

type Ref = NonNullable<AuditPart['ref']>;

/** Where a named object lives in this UI (credentials have no page of their own: their list). */
export function refPath(ref: Ref): string {
  switch (ref.type) {
    case 'profile':
      return UI.profile(ref.id);
    case 'execution':
      return UI.execution(ref.id);
    case 'credential':
      return UI.credentials;
  }
}

/**
 * An audit entry's sentence, as the server worded it, with each object it names as a link
 * (an object since deleted comes as plain text that says so).
 *
 * @example <AuditSentence parts={entry.sentence} />
 */
export function AuditSentence({ parts }: { parts: AuditPart[] }) {
  return (
    <>
      {parts.map((p, i) =>
        p.ref ? (
          <Link key={i} to={refPath(p.ref)}>
            {p.text}
          </Link>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </>
  );
}
