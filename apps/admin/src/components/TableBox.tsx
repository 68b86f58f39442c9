import type { ReactNode } from 'react';

/**
 * The box every table sits in: it scrolls sideways by itself, so a wide table never widens the
 * page (styles in `.table-box`, styles.css). Keyboard users can focus it to scroll it, and it is
 * a labelled region so that what they focus has a name.
 *
 * @example <TableBox label="Credentials"><table>…</table></TableBox>
 */
export function TableBox({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box must be reachable by keyboard to be scrolled (WCAG 2.1.1)
    <section className="table-box" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
