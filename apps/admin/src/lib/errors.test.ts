import { describe, expect, it } from 'vitest';
import { ApiError, NETWORK_ERROR_STATUS } from '../api/client';
import { describeError, fieldPath } from './errors';

describe('describeError', () => {
  it('shows a string detail as the server wrote it, with a hint and the request id', () => {
    const d = describeError(
      new ApiError(409, '/api/admin/credentials/X', {
        detail: "Credential 'X' is used by a locked profile",
        code: 'CONFLICT',
        request_id: 'req_1',
      }),
    );
    expect(d.message).toBe("Credential 'X' is used by a locked profile");
    expect(d.issues).toEqual([]);
    expect(d.hint).toMatch(/reload/i);
    expect(d.requestId).toBe('req_1');
  });

  it('turns a 422 issue list into one readable line per field', () => {
    const d = describeError(
      new ApiError(422, '/api/admin/credentials', {
        detail: [
          {
            type: 'string_pattern_mismatch',
            loc: ['body', 'name'],
            msg: 'Invalid name',
            input: '1',
          },
          { type: 'too_long', loc: ['body', 'credentials', 2], msg: 'Too long' },
          { type: 'value_error', loc: [], msg: 'Body must be an object' },
        ],
      }),
    );
    expect(d.message).toBe('Some fields are not valid:');
    expect(d.issues).toEqual([
      'name: Invalid name',
      'credentials[2]: Too long',
      'Body must be an object',
    ]);
  });

  it('says what to do when the server cannot be reached', () => {
    const d = describeError(new ApiError(NETWORK_ERROR_STATUS, '/x', { detail: 'Cannot reach' }));
    expect(d.message).toBe('Cannot reach');
    expect(d.hint).toBeUndefined();
  });

  it('handles plain errors and non-errors', () => {
    expect(describeError(new Error('boom')).message).toBe('boom');
    expect(describeError('odd').message).toBe('odd');
  });
});

describe('fieldPath', () => {
  it('drops the request part and joins the rest', () => {
    expect(fieldPath(['body', 'a', 'b', 0, 'c'])).toBe('a.b[0].c');
    expect(fieldPath(['query', 'limit'])).toBe('limit');
    expect(fieldPath(['x'])).toBe('x');
  });
});
