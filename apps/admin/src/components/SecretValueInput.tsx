import { useEffect, useId, useRef, useState } from 'react';
import { MIN_REDACTABLE_LENGTH } from '../lib/validation';

/**
 * A credential value field: a password input, uncontrolled (the value stays in the DOM field,
 * never in React state or a query cache); only its length is tracked, for the warning that
 * values shorter than 8 characters are stored but cannot be masked in script output.
 */
export function SecretValueInput({
  name = 'value',
  label = 'Value',
  required = false,
  autoFocus = false,
}: {
  name?: string;
  label?: string;
  required?: boolean;
  autoFocus?: boolean;
}) {
  const id = useId();
  const [length, setLength] = useState(0);
  const ref = useRef<HTMLInputElement>(null);
  // A form reset (after saving) empties the field without a change event: forget the length too.
  useEffect(() => {
    const form = ref.current?.form;
    if (!form) return;
    const onReset = () => setLength(0);
    form.addEventListener('reset', onReset);
    return () => form.removeEventListener('reset', onReset);
  }, []);
  const short = length > 0 && length < MIN_REDACTABLE_LENGTH;
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        ref={ref}
        name={name}
        type="password"
        autoComplete="off"
        spellCheck={false}
        required={required}
        // biome-ignore lint/a11y/noAutofocus: the field appears because the user asked to set a value
        autoFocus={autoFocus}
        aria-describedby={`${id}-help`}
        onChange={(e) => setLength(e.currentTarget.value.length)}
      />
      <p id={`${id}-help`} className={short ? 'warning' : 'help'} aria-live="polite">
        {short
          ? `This value is shorter than ${MIN_REDACTABLE_LENGTH} characters: Airlock stores it, but cannot redact it from script output.`
          : 'Stored encrypted. It is never shown again, here or anywhere.'}
      </p>
    </>
  );
}
