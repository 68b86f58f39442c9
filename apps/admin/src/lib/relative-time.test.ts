import { describe, expect, it } from 'vitest';
import { exactTime, formatRelative, spanMs } from './relative-time';

const AT = '2026-11-28T12:00:00Z';
const after = (s: number) => Date.parse(AT) + s * 1000;

describe('formatRelative', () => {
  it('counts seconds, then minutes and seconds, then the two largest units', () => {
    expect(formatRelative(AT, after(0.4))).toBe('just now');
    expect(formatRelative(AT, after(1))).toBe('1 s ago');
    expect(formatRelative(AT, after(12))).toBe('12 s ago');
    expect(formatRelative(AT, after(59))).toBe('59 s ago');
    expect(formatRelative(AT, after(60))).toBe('1 min ago');
    expect(formatRelative(AT, after(185))).toBe('3 min 5 s ago');
    expect(formatRelative(AT, after(599))).toBe('9 min 59 s ago');
    expect(formatRelative(AT, after(600))).toBe('10 min ago');
    expect(formatRelative(AT, after(42 * 60 + 30))).toBe('42 min ago');
    expect(formatRelative(AT, after(3600))).toBe('1 h ago');
    expect(formatRelative(AT, after(5 * 3600 + 3 * 60 + 20))).toBe('5 h 3 min ago');
  });

  it('a day or more reads as the local date and time', () => {
    const s = formatRelative(AT, after(26 * 3600));
    expect(s).toBe(exactTime(AT, { seconds: false }));
    expect(s).not.toContain('ago');
  });

  it('a time ahead of the clock (skew) says so instead of a negative age', () => {
    expect(formatRelative(AT, after(-4))).toBe('in 4 s');
  });

  it('returns unreadable input as it is', () => {
    expect(formatRelative('not a time', after(0))).toBe('not a time');
    expect(exactTime('not a time')).toBe('not a time');
  });
});

describe('exactTime', () => {
  it('has the seconds (for the tooltip) unless told otherwise', () => {
    const withSeconds = exactTime('2026-11-28T12:00:07Z');
    expect(withSeconds).toMatch(/07/);
    expect(withSeconds.length).toBeGreaterThan(exactTime(AT, { seconds: false }).length);
  });
});

describe('spanMs', () => {
  it('measures between two instants, or up to now while the end is open', () => {
    expect(spanMs(AT, '2026-11-28T12:00:02.5Z', 0)).toBe(2500);
    expect(spanMs(AT, null, after(7))).toBe(7000);
    expect(spanMs(AT, '2026-11-28T11:59:59Z', 0)).toBe(0);
    expect(spanMs('bad', null, 0)).toBeNull();
  });
});
