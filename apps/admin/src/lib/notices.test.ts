import { describe, expect, it } from 'vitest';
import { addNotice, dismissesItself, MAX_NOTICES, type Notice, removeNotice } from './notices';

const messages = (list: Notice[]) => list.map((n) => n.message);

describe('notices', () => {
  it('adds notices in order and removes one by id', () => {
    let list = addNotice([], 'success', 'Saved.', 1);
    list = addNotice(list, 'error', 'Not saved.', 2);
    expect(list).toEqual([
      { id: 1, tone: 'success', message: 'Saved.', raised: 0 },
      { id: 2, tone: 'error', message: 'Not saved.', raised: 0 },
    ]);
    expect(removeNotice(list, 1)).toEqual([list[1]]);
    expect(removeNotice(list, 99)).toEqual(list);
  });

  it('shows the same notice once, raised again (its timer restarts)', () => {
    const once = addNotice([], 'success', 'Saved.', 1);
    const twice = addNotice(once, 'success', 'Saved.', 2);
    expect(twice).toEqual([{ id: 1, tone: 'success', message: 'Saved.', raised: 1 }]);
    // The same words in another tone are another notice.
    expect(messages(addNotice(twice, 'error', 'Saved.', 3))).toEqual(['Saved.', 'Saved.']);
  });

  it(`keeps at most ${MAX_NOTICES}, dropping the oldest that would go away anyway`, () => {
    let list = addNotice([], 'error', 'E1', 1);
    for (let i = 2; i <= MAX_NOTICES + 1; i++) list = addNotice(list, 'success', `S${i}`, i);
    expect(list).toHaveLength(MAX_NOTICES);
    expect(messages(list)).toEqual(['E1', 'S3', 'S4', 'S5']);
  });

  it('drops the oldest error only when every notice is an error', () => {
    let list: Notice[] = [];
    for (let i = 1; i <= MAX_NOTICES + 1; i++) list = addNotice(list, 'error', `E${i}`, i);
    expect(messages(list)).toEqual(['E2', 'E3', 'E4', 'E5']);
  });

  it('errors wait for the reader; successes and infos go by themselves', () => {
    expect(dismissesItself('error')).toBe(false);
    expect(dismissesItself('success')).toBe(true);
    expect(dismissesItself('info')).toBe(true);
  });
});
