import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../../../src/errors/gatehouse-error.js';
import { mapUpstreamError } from '../../../src/upstream/errors.js';

const live = new AbortController().signal;

describe('upstream error mapping', () => {
  it.each([
    ['UND_ERR_CONNECT_TIMEOUT', 'GH_ERR_UPSTREAM_CONNECT_TIMEOUT'],
    ['UND_ERR_HEADERS_TIMEOUT', 'GH_ERR_UPSTREAM_FIRST_BYTE_TIMEOUT'],
    ['UND_ERR_BODY_TIMEOUT', 'GH_ERR_UPSTREAM_IDLE_TIMEOUT'],
    ['UND_ERR_SOCKET', 'GH_ERR_UPSTREAM_RESET'],
    ['ECONNREFUSED', 'GH_ERR_UPSTREAM_UNAVAILABLE'],
    ['HPE_INVALID_HEADER_TOKEN', 'GH_ERR_UPSTREAM_BAD_RESPONSE'],
    ['SOMETHING_ELSE', 'GH_ERR_UPSTREAM_UNAVAILABLE'],
  ])('%s → %s, original kept only as cause', (code, expected) => {
    const original = Object.assign(new Error(`connect ${code} 10.1.2.3:8000`), { code });
    const e = mapUpstreamError(original, live);
    expect(e.code).toBe(expected);
    expect(e.message).not.toContain('10.1.2.3');
    expect(e.cause).toBe(original);
  });

  it('an abort carries its own reason', () => {
    const ac = new AbortController();
    ac.abort(new GatehouseError('GH_ERR_UPSTREAM_TOTAL_TIMEOUT'));
    expect(mapUpstreamError(new Error('aborted'), ac.signal).code).toBe('GH_ERR_UPSTREAM_TOTAL_TIMEOUT');
  });
});
