import { describe, expect, it } from 'vitest';
import { egressSchema } from '../../../src/config/schema/egress.js';
import { checkAddress, isAddressLiteral, parseNetworks } from '../../../src/egress/addresses.js';
import { checkDestination, compileIdentities } from '../../../src/egress/policy.js';

describe('egress address checks', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['64:ff9b::a9fe:a9fe', 'linkLocal'],
    ['2002:7f00:1::', 'loopback'],
    ['::', 'unspecified'],
  ])('refuses %s (%s)', (addr, range) => {
    expect(checkAddress(addr, [])).toEqual({ ok: false, address: addr, range });
  });

  it.each(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:93.184.216.34'])(
    'allows global unicast %s',
    (addr) => {
      expect(checkAddress(addr, []).ok).toBe(true);
    },
  );

  it('lets an operator-listed network through, and only that one', () => {
    const nets = parseNetworks(['10.1.0.0/16', '127.0.0.2']);
    expect(checkAddress('10.1.2.3', nets).ok).toBe(true);
    expect(checkAddress('::ffff:10.1.2.3', nets).ok).toBe(true);
    expect(checkAddress('10.2.0.1', nets).ok).toBe(false);
    expect(checkAddress('127.0.0.2', nets).ok).toBe(true);
    expect(checkAddress('127.0.0.1', nets).ok).toBe(false);
    expect(() => parseNetworks(['not-a-cidr'])).toThrow(/not an IP address/);
  });

  it.each(['127.0.0.1', '2130706433', '0x7f.1', '127.1', '::1', '017700000001'])(
    'treats %s as an address literal',
    (h) => {
      expect(isAddressLiteral(h)).toBe(true);
    },
  );

  it.each(['api.example.com', '1password.com', 'x1.example'])('treats %s as a name', (h) => {
    expect(isAddressLiteral(h)).toBe(false);
  });
});

describe('egress allowlist', () => {
  const cfg = egressSchema.parse({
    identities: [
      {
        id: 'a',
        credential: '${X}',
        allow: [
          { host: 'api.example.com', ports: [443] },
          { host: '*.svc.example', ports: [80, 8080], paths: ['/v1/'] },
        ],
      },
    ],
  });
  const [id] = [...compileIdentities(cfg, () => 'secret').values()];
  it('matches exact names case-insensitively and wildcards only on subdomains', () => {
    if (!id) throw new Error('no identity');
    expect(checkDestination(id, 'API.Example.com.', 443, null)).toBeNull();
    expect(checkDestination(id, 'evil-api.example.com', 443, null)).toBe('host_not_allowed');
    expect(checkDestination(id, 'a.svc.example', 80, null)).toBeNull();
    expect(checkDestination(id, 'svc.example', 80, null)).toBe('host_not_allowed');
    expect(checkDestination(id, 'a.svc.example.evil.com', 80, null)).toBe('host_not_allowed');
    expect(checkDestination(id, 'api.example.com', 80, null)).toBe('port_not_allowed');
    expect(checkDestination(id, 'a.svc.example', 8080, '/v1/x')).toBeNull();
    expect(checkDestination(id, 'a.svc.example', 8080, '/v2/x')).toBe('path_not_allowed');
    expect(checkDestination(id, '93.184.216.34', 443, null)).toBe('ip_literal');
  });
});
