import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BrokeredCredential,
  bodyKind,
  boundTo,
  brokerEntries,
  brokerHostsRefusal,
  makePlaceholder,
  PlaceholderScanner,
  parseBrokerHosts,
  substituteBody,
  substituteHeader,
  substituteTarget,
} from './broker.js';
import { compilePolicy, parsePolicy } from './policy.js';

const cred = (name: string, value: string, hosts: string[]): BrokeredCredential => ({
  name,
  value,
  placeholder: makePlaceholder(value, new Set([value])),
  hosts: brokerEntries(hosts),
});

describe('placeholders', () => {
  it('keep a known prefix, nothing else of the value (not its length)', () => {
    const a = makePlaceholder('sk_live_51Habcdefghijklmnop', new Set());
    expect(a).toMatch(/^sk_live_[A-Za-z0-9]{32}$/);
    expect(makePlaceholder('ghp_abc', new Set())).toMatch(/^ghp_[A-Za-z0-9]{32}$/);
    expect(makePlaceholder('xoxb-1234-5678', new Set())).toMatch(/^xoxb-[A-Za-z0-9]{32}$/);
    expect(makePlaceholder('plainvalue', new Set())).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(makePlaceholder('x'.repeat(5), new Set())).toHaveLength(32);
    expect(makePlaceholder('x'.repeat(500), new Set())).toHaveLength(32);
  });

  it('are fresh and never equal or contain a taken value', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60 }), (value) => {
        const taken = new Set([value]);
        const p = makePlaceholder(value, taken);
        expect(p).not.toBe(value);
        expect(p.includes(value)).toBe(false);
        expect(makePlaceholder(value, taken)).not.toBe(p);
      }),
    );
  });
});

describe('substitution', () => {
  const c = cred('TOKEN', 'tok"en\\ value/ü', ['api.example.com']);
  it('percent-encodes in a target, JSON-escapes in JSON, form-encodes in a form', () => {
    expect(substituteTarget(`/a?k=${c.placeholder}`, [c]).text).toBe(
      `/a?k=${encodeURIComponent(c.value)}`,
    );
    const json = substituteBody(Buffer.from(JSON.stringify({ k: c.placeholder })), 'json', [c]);
    expect(JSON.parse(json.body.toString())).toEqual({ k: c.value });
    const form = substituteBody(Buffer.from(`k=${c.placeholder}`), 'form', [c]);
    expect(new URLSearchParams(form.body.toString()).get('k')).toBe(c.value);
  });

  it('refuses a value a header cannot carry, but carries it inside Basic', () => {
    const nl = cred('NL', 'line1\r\nX-Injected: yes', ['api.example.com']);
    const r = substituteHeader('X-Key', nl.placeholder, [nl]);
    expect(r.text).toBe(nl.placeholder);
    expect(r.refused).toEqual(['NL']);
    const basic = substituteHeader(
      'Authorization',
      `Basic ${Buffer.from(`u:${nl.placeholder}`).toString('base64')}`,
      [nl],
    );
    expect(Buffer.from(basic.text.slice(6), 'base64').toString()).toBe(`u:${nl.value}`);
  });

  it('knows body kinds', () => {
    expect(bodyKind('application/json; charset=utf-8')).toBe('json');
    expect(bodyKind('application/vnd.api+json')).toBe('json');
    expect(bodyKind('application/x-www-form-urlencoded')).toBe('form');
    expect(bodyKind('multipart/form-data; boundary=x')).toBeUndefined();
    expect(bodyKind(undefined)).toBeUndefined();
  });

  it('scans placeholders across chunk boundaries', () => {
    const s = new PlaceholderScanner([c]);
    const half = Math.floor(c.placeholder.length / 2);
    s.write(Buffer.from(`x${c.placeholder.slice(0, half)}`));
    expect(s.found.size).toBe(0);
    s.write(Buffer.from(`${c.placeholder.slice(half)}y`));
    expect([...s.found]).toEqual(['TOKEN']);
  });
});

describe('hosts', () => {
  it('validates: names and wildcards only', () => {
    expect(parseBrokerHosts(['API.Example.com', 'api.example.com', '*.x.org:8443'])).toEqual([
      'api.example.com',
      '*.x.org:8443',
    ]);
    expect(() => parseBrokerHosts(['10.0.0.1'])).toThrow(/host names/);
    expect(() => parseBrokerHosts([])).toThrow(/at least one/);
    expect(() => parseBrokerHosts('api.example.com')).toThrow(/list/);
  });

  it('binds by name and port', () => {
    const a = cred('A', 'valueA-123456', ['api.example.com']);
    const b = cred('B', 'valueB-123456', ['*.example.com:8443']);
    expect(boundTo([a, b], 'API.example.com', 443).map((x) => x.name)).toEqual(['A']);
    expect(boundTo([a, b], 'api.example.com', 8443).map((x) => x.name)).toEqual(['B']);
    expect(boundTo([a, b], 'example.com', 8443)).toEqual([]);
    // In clear only where the binding names the port: default ports mean TLS only.
    expect(boundTo([a, b], 'api.example.com', 80, { tls: false })).toEqual([]);
    expect(boundTo([a], 'api.example.com', 80, { tls: true }).map((x) => x.name)).toEqual(['A']);
    const c = cred('C', 'valueC-123456', ['api.example.com:80']);
    expect(boundTo([c], 'api.example.com', 80, { tls: false }).map((x) => x.name)).toEqual(['C']);
  });

  it('a binding must be reachable under the profile policy', () => {
    const p = (allow: string[]) => compilePolicy(parsePolicy({ mode: 'allowlist', allow }));
    expect(brokerHostsRefusal(p(['api.example.com']), ['api.example.com'])).toBeNull();
    expect(brokerHostsRefusal(p(['*.example.com']), ['api.example.com:443'])).toBeNull();
    expect(brokerHostsRefusal(p(['api.example.com:443']), ['api.example.com'])).toBe(
      'api.example.com: port 80 is not allowed for this host',
    );
    expect(brokerHostsRefusal(p(['api.example.com']), ['*.example.com'])).toMatch(/not in/);
    expect(brokerHostsRefusal(p(['x.org:1-100,101-500']), ['x.org:50-300'])).toBeNull();
    expect(brokerHostsRefusal(compilePolicy({ mode: 'none', allow: [] }), ['x.org'])).toMatch(
      /network is off/,
    );
    expect(brokerHostsRefusal(compilePolicy({ mode: 'open', allow: [] }), ['x.org'])).toBeNull();
  });
});
