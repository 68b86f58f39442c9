import { MIN_PASSWORD_LENGTH } from '../lib/validation';

/** "New password" twice; uncontrolled, so the password never sits in React state. */
export function NewPasswordFields({ label = 'New password' }: { label?: string }) {
  return (
    <>
      <label htmlFor="new_password">{label}</label>
      <input
        id="new_password"
        name="new_password"
        type="password"
        autoComplete="new-password"
        minLength={MIN_PASSWORD_LENGTH}
        required
        aria-describedby="new_password_help"
      />
      <p id="new_password_help" className="help">
        At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong one.
      </p>
      <label htmlFor="confirm_password">Repeat the password</label>
      <input
        id="confirm_password"
        name="confirm_password"
        type="password"
        autoComplete="new-password"
        required
      />
    </>
  );
}
