/**
 * The "From (day)" and "To (day)" fields of a filter form (the executions and audit pages),
 * kept in the URL's `since` and `until` by the page.
 */
export function DayRangeFields({
  idPrefix,
  since,
  until,
  onChange,
}: {
  idPrefix: string;
  since: string;
  until: string;
  onChange: (name: 'since' | 'until', value: string) => void;
}) {
  return (
    <>
      <div>
        <label htmlFor={`${idPrefix}-since`}>From (day)</label>
        <input
          id={`${idPrefix}-since`}
          className="filter-control"
          type="date"
          value={since}
          onChange={(e) => onChange('since', e.currentTarget.value)}
        />
      </div>
      <div>
        <label htmlFor={`${idPrefix}-until`}>To (day)</label>
        <input
          id={`${idPrefix}-until`}
          className="filter-control"
          type="date"
          value={until}
          onChange={(e) => onChange('until', e.currentTarget.value)}
        />
      </div>
    </>
  );
}
