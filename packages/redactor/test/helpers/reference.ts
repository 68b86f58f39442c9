/**
 * A deliberately naive redactor used as the oracle in tests: every variant is searched with
 * `Buffer.indexOf` at every offset, the matches are merged on a sorted list, and the same naming
 * rule is applied (earliest start, then longest match, then name, then input position).
 */
import { type Secret, variantsOf } from '../../src/index.js';

interface Hit {
  start: number;
  end: number;
  secret: number;
}

export interface ReferenceResult {
  text: string;
  counts: Record<string, number>;
}

export function referenceRedact(
  secrets: readonly Secret[],
  input: Uint8Array,
  minLength = 8,
): ReferenceResult {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.length);
  const hits: Hit[] = [];
  secrets.forEach((s, secret) => {
    for (const v of variantsOf(s.value, { minLength })) {
      const needle = Buffer.from(v.bytes);
      for (let at = buf.indexOf(needle, 0); at >= 0; at = buf.indexOf(needle, at + 1)) {
        hits.push({ start: at, end: at + needle.length, secret });
      }
    }
  });
  const better = (a: Hit, b: Hit): boolean => {
    if (a.start !== b.start) return a.start < b.start;
    const la = a.end - a.start;
    const lb = b.end - b.start;
    if (la !== lb) return la > lb;
    const na = (secrets[a.secret] as Secret).name;
    const nb = (secrets[b.secret] as Secret).name;
    if (na !== nb) return na < nb;
    return a.secret < b.secret;
  };
  hits.sort((a, b) => a.start - b.start || b.end - a.end);
  const ranges: { start: number; end: number; best: Hit; names: Set<string> }[] = [];
  for (const h of hits) {
    const last = ranges[ranges.length - 1];
    const name = (secrets[h.secret] as Secret).name;
    if (last && h.start <= last.end) {
      last.end = Math.max(last.end, h.end);
      if (better(h, last.best)) last.best = h;
      last.names.add(name);
    } else {
      ranges.push({ start: h.start, end: h.end, best: h, names: new Set([name]) });
    }
  }
  const parts: Buffer[] = [];
  const counts: Record<string, number> = {};
  let at = 0;
  for (const r of ranges) {
    parts.push(buf.subarray(at, r.start));
    const name = (secrets[r.best.secret] as Secret).name;
    parts.push(Buffer.from(`[REDACTED:${name}]`));
    at = r.end;
    for (const n of r.names) counts[n] = (counts[n] ?? 0) + 1;
  }
  parts.push(buf.subarray(at));
  const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(
    Buffer.concat(parts),
  );
  return { text, counts };
}

/** Every variant of every secret, for "nothing survives" checks. */
export function allVariants(secrets: readonly Secret[], minLength = 8): Buffer[] {
  return secrets.flatMap((s) =>
    variantsOf(s.value, { minLength }).map((v) => Buffer.from(v.bytes)),
  );
}

/** Asserts-friendly: how many variants of the secrets still occur in `text` (expect 0). */
export function survivingVariants(
  secrets: readonly Secret[],
  text: string | Uint8Array,
  minLength = 8,
): number {
  const hay = typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text);
  return allVariants(secrets, minLength).filter((v) => hay.includes(v)).length;
}

/**
 * Whether a masked range would cover byte boundary `at`: an occurrence of some variant begins
 * before it and ends after it, or one ends exactly there while another begins there (touching
 * ranges merge into one).
 */
export function straddles(
  secrets: readonly Secret[],
  input: Uint8Array,
  at: number,
  minLength = 8,
): boolean {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.length);
  let endsAt = false;
  let startsAt = false;
  for (const needle of allVariants(secrets, minLength)) {
    for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + 1)) {
      const end = i + needle.length;
      if (i < at && end > at) return true;
      if (end === at) endsAt = true;
      if (i === at) startsAt = true;
    }
  }
  return endsAt && startsAt;
}
