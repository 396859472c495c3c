import { describe, expect, it } from 'vitest';
import { proxySchema } from '../../../src/config/schema/proxy.js';
import { compileClientAddress } from '../../../src/formats/client-address.js';

const resolver = (trusted: string[], maxHops = 16) => compileClientAddress({ trusted, maxHops });

describe('client address behind trusted proxies', () => {
  it('without trusted proxies the TCP peer is the client, whatever X-Forwarded-For says', () => {
    expect(resolver([])('203.0.113.9', '1.2.3.4')).toEqual({
      client: '203.0.113.9',
      peer: '203.0.113.9',
      forwarded: false,
    });
  });

  it('ignores a spoofed X-Forwarded-For from an untrusted peer', () => {
    const r = resolver(['10.0.0.0/8'])('203.0.113.9', '198.51.100.1');
    expect(r).toEqual({ client: '203.0.113.9', peer: '203.0.113.9', forwarded: false });
  });

  it('reads right to left, skipping trusted hops, and stops at the first untrusted address', () => {
    // The client put "6.6.6.6" first to be blamed instead; the edge appended the real address.
    const r = resolver(['10.0.0.0/8', '192.168.1.5'])(
      '10.1.2.3',
      '6.6.6.6, 198.51.100.7, 192.168.1.5, 10.9.9.9',
    );
    expect(r).toEqual({ client: '198.51.100.7', peer: '10.1.2.3', forwarded: true });
  });

  it('joins repeated headers and accepts ports and bracketed IPv6', () => {
    const r = resolver(['127.0.0.1'])('::ffff:127.0.0.1', ['[2001:db8::1]:443', '127.0.0.1:8080']);
    expect(r.client).toBe('2001:db8::1');
    expect(r.peer).toBe('127.0.0.1');
  });

  it('stops at a malformed entry: what lies left of it nobody trusted vouches for', () => {
    expect(resolver(['127.0.0.1'])('127.0.0.1', 'evil, garbage').client).toBe('127.0.0.1');
    expect(resolver(['127.0.0.1', '10.0.0.1'])('127.0.0.1', '1.1.1.1, x, 10.0.0.1').client).toBe('10.0.0.1');
  });

  it('bounds the walk by maxHops', () => {
    const chain = Array.from({ length: 100 }, () => '10.0.0.1').join(',');
    expect(resolver(['10.0.0.0/8'], 4)('10.0.0.2', `9.9.9.9,${chain}`).client).toBe('10.0.0.1');
  });

  it('validates the trusted list', () => {
    expect(proxySchema.safeParse({ trusted: ['10.0.0.0/8', '::1', 'fd00::/8'] }).success).toBe(true);
    for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.0/8/1', '::/129'])
      expect(proxySchema.safeParse({ trusted: [bad] }).success, bad).toBe(false);
  });
});
