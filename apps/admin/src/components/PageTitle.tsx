import { useEffect } from 'react';

/** Sets the tab title (what screen readers announce on navigation, and what history shows). */
export function PageTitle({ title }: { title: string }) {
  useEffect(() => {
    document.title = `${title} · Airlock`;
  }, [title]);
  return null;
}
