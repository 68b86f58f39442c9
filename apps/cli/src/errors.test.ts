import { describe, expect, it } from 'vitest';
import { httpError } from './client.js';
import {
  CliError,
  ExitCode,
  exitCodeOf,
  mask,
  renderError,
  renderErrorJson,
  usageError,
} from './errors.js';

const SECRET = 'Zq'.repeat(24);

describe('mask', () => {
  it('replaces every occurrence of a secret and leaves short strings alone', () => {
    expect(mask(`a ${SECRET} b ${SECRET}`, [SECRET])).toBe('a **** b ****');
    expect(mask('the cat sat', ['cat'])).toBe('the cat sat');
  });
});

describe('renderError', () => {
  it('renders a server error with its code and request id, one line, secret masked', () => {
    const err = httpError(
      401,
      JSON.stringify({
        detail: `Invalid profile key ${SECRET}`,
        code: 'UNAUTHORIZED',
        request_id: 'req_1',
      }),
      'POST /execute',
    );
    expect(err.exitCode).toBe(ExitCode.server);
    expect(renderError(err, [SECRET])).toBe(
      'airlock: POST /execute failed: HTTP 401 Invalid profile key **** (code UNAUTHORIZED, request req_1)\n',
    );
  });

  it('renders a 422 detail list as loc: msg items', () => {
    const err = httpError(
      422,
      JSON.stringify({
        detail: [
          { type: 'too_big', loc: ['body', 'timeout'], msg: 'must be at most 600', input: 900 },
          { loc: ['body', 'script'], msg: 'required' },
        ],
      }),
      'POST /execute',
    );
    expect(err.message).toBe(
      'POST /execute failed: HTTP 422 body.timeout: must be at most 600; body.script: required',
    );
  });

  it('quotes the start of a non-JSON body (a proxy page)', () => {
    expect(httpError(502, '<html>Bad Gateway</html>', 'GET /health').message).toBe(
      'GET /health failed: HTTP 502 <html>Bad Gateway</html>',
    );
  });

  it('renders unexpected errors and non-errors without crashing', () => {
    expect(renderError(new Error(`boom ${SECRET}`), [SECRET])).toBe(
      'airlock: unexpected failure: boom ****\n',
    );
    expect(renderError('weird', [])).toBe('airlock: unexpected failure: weird\n');
    expect(exitCodeOf(new Error('x'))).toBe(ExitCode.server);
    expect(exitCodeOf(usageError('x'))).toBe(ExitCode.usage);
  });

  it('renders JSON errors for --json', () => {
    const err = new CliError(`nope ${SECRET}`, ExitCode.server, { status: 403, code: 'FORBIDDEN' });
    expect(JSON.parse(renderErrorJson(err, [SECRET]))).toEqual({
      error: {
        message: 'nope ****',
        exit_code: 4,
        status: 403,
        code: 'FORBIDDEN',
        request_id: null,
      },
    });
  });
});
