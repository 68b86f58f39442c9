import { describe, expect, it } from 'vitest';
import { admit, compilePolicy, PolicyError, parseEntry, parsePolicy } from './policy.js';

describe('parseEntry', () => {
  it('reads names, wildcards, IP literals and CIDRs, with default or given ports', () => {
    expect(parseEntry('API.Stripe.com.')).toMatchObject({
      kind: 'name',
      name: 'api.stripe.com',
      ports: [
        [443, 443],
        [80, 80],
      ],
      text: 'api.stripe.com',
    });
    expect(parseEntry('*.example.com:8000-8100,9000')).toMatchObject({
      kind: 'wildcard',
      suffix: 'example.com',
      ports: [
        [8000, 8100],
        [9000, 9000],
      ],
      text: '*.example.com:8000-8100,9000',
    });
    expect(parseEntry('10.0.0.5:5432')).toMatchObject({ kind: 'address', family: 4 });
    expect(parseEntry('[2001:DB8::1]:443')).toMatchObject({
      kind: 'address',
      address: '2001:db8::1',
      text: '[2001:db8::1]:443',
    });
    expect(parseEntry('10.0.0.0/8')).toMatchObject({ kind: 'cidr', family: 4, text: '10.0.0.0/8' });
    expect(parseEntry('[fd00::/8]:22')).toMatchObject({ kind: 'cidr', family: 6 });
    expect(parseEntry('bücher.de')).toMatchObject({ name: 'xn--bcher-kva.de' });
  });

  it.each([
    ['', /invalid entry/],
    ['exa mple.com', /invalid host name/],
    ['-bad.com', /invalid host name/],
    ['a..b', /invalid host name/],
    ['1.2.3.999', /invalid host name/],
    ['host:0', /invalid port "0"/],
    ['host:70000', /invalid port/],
    ['host:9-3', /invalid port/],
    ['2001:db8::1', /brackets/],
    ['[10.0.0.1]', /brackets are for IPv6/],
    ['10.0.0.0/33', /invalid CIDR/],
    ['*.', /invalid host name/],
    ['[::1', /missing "]"/],
  ])('refuses %j', (raw, message) => {
    expect(() => parseEntry(raw)).toThrow(message);
    try {
      parseEntry(raw);
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyError);
      expect((e as PolicyError).entry).toBe(raw);
    }
  });
});

describe('parsePolicy', () => {
  it('normalises and de-duplicates; modes other than allowlist take no entries', () => {
    expect(parsePolicy({ mode: 'allowlist', allow: ['A.com', 'a.com', 'b.com:22'] })).toEqual({
      mode: 'allowlist',
      allow: ['a.com', 'b.com:22'],
    });
    expect(parsePolicy({ mode: 'none' })).toEqual({ mode: 'none', allow: [] });
    expect(() => parsePolicy({ mode: 'open', allow: ['a.com'] })).toThrow(/takes no entries/);
    expect(() => parsePolicy({ mode: 'all' })).toThrow(/mode must be/);
    expect(() => parsePolicy({ mode: 'none', extra: 1 })).toThrow(/unknown field "extra"/);
    expect(() => parsePolicy(['a'])).toThrow(/must be an object/);
    expect(() => parsePolicy({ mode: 'allowlist', allow: Array(101).fill('a.com') })).toThrow(
      /at most 100/,
    );
  });
});

describe('admit', () => {
  const p = compilePolicy(
    parsePolicy({
      mode: 'allowlist',
      allow: [
        'api.example.com',
        '*.svc.example.com:5432',
        '10.1.2.3:6379',
        '192.168.0.0/16:22',
        '[fd00::1]:80',
      ],
    }),
  );

  it('admits listed names on their ports, subdomains of wildcards (not the apex), listed addresses', () => {
    expect(admit(p, 'API.example.com', 443)).toMatchObject({ allowed: true, by: 'name' });
    expect(admit(p, 'api.example.com', 80)).toMatchObject({ allowed: true });
    expect(admit(p, 'db.svc.example.com', 5432)).toMatchObject({ allowed: true });
    expect(admit(p, 'svc.example.com', 5432)).toEqual({
      allowed: false,
      reason: 'host is not in the allowlist',
    });
    expect(admit(p, '10.1.2.3', 6379)).toMatchObject({ allowed: true, by: 'address' });
    expect(admit(p, '192.168.7.7', 22)).toMatchObject({
      allowed: true,
      entry: '192.168.0.0/16:22',
    });
    expect(admit(p, 'fd00:0::1', 80)).toMatchObject({ allowed: true });
  });

  it('refuses other hosts, other ports of listed hosts, and anything when off', () => {
    expect(admit(p, 'api.example.com', 22)).toEqual({
      allowed: false,
      reason: 'port 22 is not allowed for this host',
    });
    expect(admit(p, 'evil.com', 443)).toMatchObject({ allowed: false });
    expect(admit(p, '10.1.2.4', 6379)).toMatchObject({ allowed: false });
    expect(admit(p, 'bad host', 443)).toEqual({ allowed: false, reason: 'invalid host name' });
    expect(admit(compilePolicy({ mode: 'none', allow: [] }), 'api.example.com', 443)).toEqual({
      allowed: false,
      reason: 'network is off for this profile',
    });
    expect(admit(compilePolicy({ mode: 'open', allow: [] }), 'anything.org', 5432)).toEqual({
      allowed: true,
      by: 'open',
    });
  });
});
