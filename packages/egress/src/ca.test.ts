import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, serialOctets } from './ca.js';

describe('certificate serials', () => {
  it('are positive and DER-minimal whatever the random octets (no sign bit, no leading zero)', () => {
    for (const first of [0x00, 0x01, 0x7e, 0x7f, 0x80, 0xfe, 0xff]) {
      const random = new Uint8Array(16).fill(0x00);
      random[0] = first;
      const out = serialOctets(random);
      expect(out.length).toBe(16);
      expect(out[0]).toBeGreaterThanOrEqual(0x01);
      expect(out[0]).toBeLessThanOrEqual(0x7f);
      expect(Array.from(out.subarray(1))).toEqual(Array.from(random.subarray(1)));
    }
    // The rest is kept: distinct inputs stay distinct past the first octet.
    expect(serialOctets(new Uint8Array(16).fill(0xab))).not.toEqual(
      serialOctets(new Uint8Array(16).fill(0xac)),
    );
  });

  it('parse in the certificates made with them (OpenSSL refuses a padded serial)', async () => {
    const ca = await createCertificateAuthority('serial test CA');
    const x = new X509Certificate(ca.certificate);
    expect(x.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
    expect(x.serialNumber.startsWith('00')).toBe(false);
  });
});
