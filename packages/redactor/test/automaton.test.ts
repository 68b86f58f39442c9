import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Automaton, buildAutomaton, refToState, sparseStep } from '../src/automaton.js';

/** Every (end, pattern) pair the automaton reports, in scan order. */
function scanAll(a: Automaton, text: Uint8Array): string[] {
  const out: string[] = [];
  let ref = 0;
  text.forEach((b, i) => {
    let r =
      ref < a.sparseBase
        ? (a.dense[ref + (a.byteClass[b] as number)] as number)
        : sparseStep(a, ref, b);
    const output = r < 0;
    if (r < 0) r = ~r;
    ref = r;
    const t = refToState(a, r);
    for (let u = (a.terminal[t] as number) >= 0 ? t : (a.outputLink[t] as number); u >= 0; ) {
      out.push(`${i + 1}:${a.terminal[u]}`);
      u = a.outputLink[u] as number;
    }
    // The sign bit must agree with the output tables.
    expect(a.hasOutput[t] === 1).toBe(output);
    expect(output).toBe((a.terminal[t] as number) >= 0 || (a.outputLink[t] as number) >= 0);
  });
  return out.sort();
}

function naive(patterns: Uint8Array[], text: Uint8Array): string[] {
  const hay = Buffer.from(text);
  const out: string[] = [];
  patterns.forEach((p, id) => {
    for (let at = hay.indexOf(p); at >= 0; at = hay.indexOf(p, at + 1)) {
      out.push(`${at + p.length}:${id}`);
    }
  });
  return out.sort();
}

const dedupe = (ps: Uint8Array[]): Uint8Array[] => {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = Buffer.from(p).toString('latin1');
    if (p.length === 0 || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};

describe('buildAutomaton', () => {
  it('finds exactly the occurrences indexOf finds, dense or sparse', () => {
    // A small alphabet makes overlaps, shared prefixes and suffix chains frequent.
    const bytes = fc.uint8Array({ minLength: 1, maxLength: 8 }).map((a) => a.map((b) => b % 3));
    fc.assert(
      fc.property(
        fc.array(bytes, { minLength: 1, maxLength: 12 }),
        fc.uint8Array({ maxLength: 200 }).map((a) => a.map((b) => b % 4)),
        fc.constantFrom(1, 8, 64, 1 << 20),
        (raw, text, budget) => {
          const patterns = dedupe(raw);
          const a = buildAutomaton(patterns, { maxDenseEntries: budget });
          expect(scanAll(a, text)).toEqual(naive(patterns, text));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps states beyond the dense budget sparse and depth-ordered', () => {
    const enc = new TextEncoder();
    const a = buildAutomaton([enc.encode('abcdef'), enc.encode('bcd')], { maxDenseEntries: 8 });
    expect(a.denseCount).toBeLessThan(a.stateCount);
    for (let s = 1; s < a.stateCount; s++) {
      expect(a.fail[s]).toBeLessThan(s);
      expect(a.depth[s]).toBeGreaterThanOrEqual(a.depth[s - 1] as number);
    }
    expect(a.maxPatternLength).toBe(6);
  });

  it('rejects empty and duplicate patterns', () => {
    expect(() => buildAutomaton([new Uint8Array(0)])).toThrow(/empty pattern/);
    expect(() => buildAutomaton([Uint8Array.of(1, 2), Uint8Array.of(1, 2)])).toThrow(/duplicate/);
  });
});
