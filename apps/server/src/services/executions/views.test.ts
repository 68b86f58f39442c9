import { describe, expect, it } from 'vitest';
import { FIRST_LINE_MAX, scriptFirstLine, wasCancelled } from './views.js';

describe('scriptFirstLine', () => {
  it('is the first line that is not blank, trimmed', () => {
    expect(scriptFirstLine('\n   \n  import json  \nprint(1)')).toBe('import json');
    expect(scriptFirstLine('# fetch the balance\r\nprint(1)')).toBe('# fetch the balance');
    expect(scriptFirstLine('\r\rx = 1')).toBe('x = 1');
  });

  it('is null for a blank script (or one retention pruned to nothing)', () => {
    expect(scriptFirstLine('')).toBeNull();
    expect(scriptFirstLine(' \n\t\n')).toBeNull();
  });

  it(`cuts a long line to ${FIRST_LINE_MAX} characters, never inside a character`, () => {
    const long = `print("${'a'.repeat(200)}")`;
    const cut = scriptFirstLine(long) ?? '';
    expect(Array.from(cut)).toHaveLength(FIRST_LINE_MAX);
    expect(cut.endsWith('…')).toBe(true);
    expect(long.startsWith(cut.slice(0, -1))).toBe(true);
    // Astral characters (two UTF-16 units each) are counted and cut whole.
    const emoji = scriptFirstLine('😀'.repeat(FIRST_LINE_MAX + 5)) ?? '';
    expect(emoji).toBe(`${'😀'.repeat(FIRST_LINE_MAX - 1)}…`);
    expect(scriptFirstLine('x'.repeat(FIRST_LINE_MAX))).toBe('x'.repeat(FIRST_LINE_MAX));
  });
});

describe('wasCancelled', () => {
  it('reads the reasons the engine gives for a run stopped from outside', () => {
    for (const error of [
      'cancelled by the admin',
      'cancelled by the admin before it started',
      'cancelled: the profile was revoked',
      'cancelled: the profile key was regenerated before it started',
    ])
      expect(wasCancelled({ status: 'error', error })).toBe(true);
  });

  it('is false for a script’s own failure, a timeout and a success', () => {
    expect(
      wasCancelled({
        status: 'error',
        error: 'Traceback (most recent call last):\n  File "<script>", line 1\ncancelled: no',
      }),
    ).toBe(false);
    expect(wasCancelled({ status: 'error', error: 'cancelledness' })).toBe(false);
    expect(wasCancelled({ status: 'timeout', error: 'cancelled by the admin' })).toBe(false);
    expect(wasCancelled({ status: 'completed', error: null })).toBe(false);
  });
});
