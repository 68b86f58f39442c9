import type { DbLike } from '../../lib/db.js';
import { isoUtc } from '../../lib/time.js';
import { describeAudit, lookUpNames, sentenceText } from './describe.js';
import { type AuditFilter, auditBatches } from './list.js';

/**
 * A spreadsheet would run a cell that starts with one of these as a formula (`=HYPERLINK(…)`,
 * `@SUM(…)`, `-1+1`), or, after a tab or line break, treat it as a separate cell.
 */
const FORMULA_START = /^\s*[=+\-@]|^[\t\r\n]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled;
 * a value a spreadsheet would read as a formula gets a leading `'`, so it shows as text.
 *
 * @example
 * csvField('a,b');        // '"a,b"'
 * csvField('=1+1');       // "'=1+1"
 * csvField('say "hi"');   // '"say ""hi"""'
 */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const AUDIT_CSV_COLUMNS = [
  'at',
  'summary',
  'action',
  'actor_type',
  'actor_id',
  'client_ip',
  'target_type',
  'target_id',
  'detail',
] as const;

const line = (fields: readonly string[]) => `${fields.map(csvField).join(',')}\r\n`;

/**
 * The filtered audit log as CSV, newest first, produced batch by batch as it is read: a header,
 * then one line per record with its sentence and raw fields (`detail` as JSON). Audit records
 * never hold a value, key secret or password, so neither does this. Starts with a UTF-8 byte
 * order mark, which spreadsheets need to read the file as UTF-8.
 */
export function auditCsv(db: DbLike, filter: AuditFilter): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const batches = auditBatches(db, filter);
  let started = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`\uFEFF${line(AUDIT_CSV_COLUMNS)}`));
        return;
      }
      const next = batches.next();
      if (next.done) {
        controller.close();
        return;
      }
      const names = lookUpNames(db, next.value);
      const text = next.value
        .map((r) =>
          line([
            isoUtc(r.at),
            sentenceText(describeAudit(names, r)),
            r.action,
            r.actorType,
            r.actorId ?? '',
            r.clientIp ?? '',
            r.targetType ?? '',
            r.targetId ?? '',
            r.detail ?? '',
          ]),
        )
        .join('');
      controller.enqueue(encoder.encode(text));
    },
    cancel() {
      batches.return(undefined);
    },
  });
}
