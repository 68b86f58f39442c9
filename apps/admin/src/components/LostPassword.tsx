import './LostPassword.css';

/**
 * What to do when the admin password is lost: the procedure of docs/operations.md ("A lost
 * admin password"), which is the only one there is (no reset link: one admin, no e-mail).
 */
export function LostPassword() {
  return (
    <details className="lost-password">
      <summary>Lost the admin password?</summary>
      <p>
        There is no reset link: Airlock has one admin account. Whoever runs the server can reset it,
        and nothing else is lost:
      </p>
      <ol>
        <li>Stop Airlock.</li>
        <li>
          Remove the admin account and its sessions from the database:
          <pre className="code">
            sqlite3 data/private/airlock.db "DELETE FROM sessions; DELETE FROM admin;"
          </pre>
          (in Docker: <span className="mono">/data/private/airlock.db</span>, through the server’s
          own Node, as the operations guide shows).
        </li>
        <li>
          Start Airlock. It prints a new setup code (also in{' '}
          <span className="mono">private/setup-code</span>); enter it here with a new password. If{' '}
          <span className="mono">AIRLOCK_ADMIN_PASSWORD</span> or{' '}
          <span className="mono">AIRLOCK_ADMIN_PASSWORD_FILE</span> is set, that password applies
          instead.
        </li>
      </ol>
      <p>Credentials, profiles, agents’ keys, the history and the audit log are kept.</p>
    </details>
  );
}
