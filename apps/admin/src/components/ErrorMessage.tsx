import { describeError } from '../lib/errors';
import { Icon } from './Icon';

/**
 * Shows a failure as the server worded it (`detail`, or each validation issue), plus what to do.
 * `role="alert"` so screen readers announce it when it appears.
 */
export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  if (error === null || error === undefined) return null;
  const d = describeError(error);
  return (
    <div className="error" role="alert">
      <Icon name="alert" />
      <div className="error-body">
        {title ? <strong className="error-title">{title}</strong> : null}
        <p>{d.message}</p>
        {d.issues.length > 0 ? (
          <ul>
            {d.issues.map((i) => (
              <li key={i}>{i}</li>
            ))}
          </ul>
        ) : null}
        {d.hint ? <p className="hint">{d.hint}</p> : null}
        {d.requestId ? <p className="request-id">Request id: {d.requestId}</p> : null}
      </div>
    </div>
  );
}
