import { describe, expect, it } from 'vitest';
import { DEFAULT_URL, parseCommand, resolveUrl, secretCandidates } from './args.js';
import { CliError, ExitCode } from './errors.js';

const SECRET = `${'A'.repeat(24)}${'b'.repeat(24)}`;
const KEY_ID = `ark_${'abc123'.repeat(4)}`;
const KEY = `${KEY_ID}:${SECRET}`;

function usage(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(ExitCode.usage);
    return err as CliError;
  }
  throw new Error('expected a usage error');
}

describe('parseCommand', () => {
  it('shows the main help with no arguments, --help or help', () => {
    expect(parseCommand([], {})).toEqual({ kind: 'help', topic: 'main' });
    expect(parseCommand(['--help'], {})).toEqual({ kind: 'help', topic: 'main' });
    expect(parseCommand(['help', 'exec'], {})).toEqual({ kind: 'help', topic: 'exec' });
    expect(parseCommand(['exec', '--help'], {})).toEqual({ kind: 'help', topic: 'exec' });
    expect(parseCommand(['status', '-h'], {})).toEqual({ kind: 'help', topic: 'status' });
    expect(parseCommand(['--version'], {})).toEqual({ kind: 'version' });
  });

  it('parses mcp: the key and URL from flags or the environment, checked up front', () => {
    expect(parseCommand(['mcp'], { AIRLOCK_KEY: KEY, AIRLOCK_URL: 'http://a.test/' })).toEqual({
      kind: 'mcp',
      url: 'http://a.test',
      keyId: KEY_ID,
      secret: SECRET,
    });
    expect(parseCommand(['mcp', '-k', KEY], {})).toMatchObject({ kind: 'mcp', url: DEFAULT_URL });
    expect(parseCommand(['mcp', '--help'], {})).toEqual({ kind: 'help', topic: 'mcp' });
    expect(parseCommand(['help', 'mcp'], {})).toEqual({ kind: 'help', topic: 'mcp' });
    expect(usage(() => parseCommand(['mcp'], {})).message).toMatch(/^no profile key/);
    expect(usage(() => parseCommand(['mcp'], { AIRLOCK_KEY: KEY_ID })).message).toMatch(
      /malformed: it has no ":"/,
    );
    expect(usage(() => parseCommand(['mcp', 'extra'], { AIRLOCK_KEY: KEY })).message).toBe(
      'mcp takes no arguments, got "extra"',
    );
  });

  it('parses exec with flags, defaulting to signature v2 and the default URL', () => {
    const c = parseCommand(['exec', 'job.py', '--key', KEY, '--timeout', '30', '--json'], {});
    expect(c).toEqual({
      kind: 'exec',
      file: 'job.py',
      url: DEFAULT_URL,
      keyId: KEY_ID,
      secret: SECRET,
      timeout: 30,
      signatureVersion: 2,
      json: true,
      verbose: false,
      llmCommand: undefined,
      llmAnswer: undefined,
    });
  });

  it('takes the key and URL from the environment, flags winning', () => {
    const env = { AIRLOCK_KEY: KEY, AIRLOCK_URL: 'http://airlock.internal:9000/' };
    const c = parseCommand(['exec', '-', '--v1', '--llm-answer', 'yes'], env);
    expect(c).toMatchObject({
      file: '-',
      url: 'http://airlock.internal:9000',
      keyId: KEY_ID,
      signatureVersion: 1,
      llmAnswer: 'yes',
    });
    expect(parseCommand(['exec', 'a.py', '-u', 'https://x.example'], env)).toMatchObject({
      url: 'https://x.example',
    });
  });

  it('refuses a missing or malformed key without quoting it', () => {
    expect(usage(() => parseCommand(['exec', 'a.py'], {})).message).toMatch(/AIRLOCK_KEY/);
    const e = usage(() => parseCommand(['exec', 'a.py', '--key', `${KEY_ID}:short-secret`], {}));
    expect(e.message).toMatch(/48-character secret/);
    expect(e.message).not.toContain('short-secret');
    expect(usage(() => parseCommand(['exec', 'a.py', '--key', SECRET], {})).message).toMatch(
      /no ":"/,
    );
  });

  it('refuses bad usage: no file, two files, unknown options, bad numbers, both llm modes', () => {
    const env = { AIRLOCK_KEY: KEY };
    expect(usage(() => parseCommand(['exec'], env)).message).toMatch(/script file/);
    expect(usage(() => parseCommand(['exec', 'a.py', 'b.py'], env)).message).toMatch(/one script/);
    expect(usage(() => parseCommand(['exec', 'a.py', '--bogus'], env)).message).toMatch(/bogus/);
    expect(usage(() => parseCommand(['exec', 'a.py', '-t', '1.5'], env)).message).toMatch(
      /whole number/,
    );
    expect(usage(() => parseCommand(['exec', 'a.py', '-t', '0'], env)).message).toMatch(/between/);
    expect(
      usage(() => parseCommand(['exec', 'a.py', '--llm-answer', 'a', '--llm-command', 'cat'], env))
        .message,
    ).toMatch(/not both/);
    expect(usage(() => parseCommand(['frobnicate'], env)).message).toMatch(/unknown command/);
    expect(usage(() => parseCommand(['--url', 'x', 'exec'], env)).message).toMatch(/after the/);
    expect(usage(() => parseCommand(['exec', 'a.py', '--timeout'], env)).message).toMatch(
      /argument missing/,
    );
  });

  it('parses status with or without a key; a bare key id is refused (listing is signed)', () => {
    expect(parseCommand(['status'], {})).toEqual({
      kind: 'status',
      url: DEFAULT_URL,
      key: undefined,
      limit: 10,
      json: false,
    });
    expect(parseCommand(['status', '--key', KEY, '-n', '5'], {})).toMatchObject({
      key: { keyId: KEY_ID },
      limit: 5,
    });
    expect(parseCommand(['status', '--json'], { AIRLOCK_KEY: KEY })).toMatchObject({
      key: { keyId: KEY_ID },
      json: true,
    });
    usage(() => parseCommand(['status', '--key', KEY_ID], {}));
    usage(() => parseCommand(['status', 'extra'], {}));
    usage(() => parseCommand(['status', '--limit', '101'], {}));
  });
});

describe('resolveUrl', () => {
  it('accepts http and https, strips trailing slashes, refuses other schemes', () => {
    expect(resolveUrl(undefined, {})).toBe(DEFAULT_URL);
    expect(resolveUrl('http://h:1/base/', {})).toBe('http://h:1/base');
    expect(usage(() => resolveUrl('ftp://h', {})).message).toMatch(/http/);
    expect(usage(() => resolveUrl('not a url', {})).message).toMatch(/not a URL/);
    usage(() => resolveUrl('http://h/?x=1', {}));
  });
});

describe('secretCandidates', () => {
  it('finds the secret in --key, --key=, -k, a bare key-shaped argument and AIRLOCK_KEY', () => {
    expect(secretCandidates(['exec', '--key', KEY], {})).toContain(SECRET);
    expect(secretCandidates(['exec', `--key=${KEY}`], {})).toContain(SECRET);
    expect(secretCandidates(['exec', `-k${KEY}`], {})).toContain(SECRET);
    expect(secretCandidates(['exec', '--kye', KEY], {})).toContain(SECRET);
    expect(secretCandidates([], { AIRLOCK_KEY: `${KEY}\n` })).toContain(SECRET);
  });
});
