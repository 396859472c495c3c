import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../../../src/errors/gatehouse-error.js';
import { attributeStreamError, mapUpstreamError } from '../../../src/upstream/errors.js';

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

describe('stream failure attribution', () => {
  const bug = new TypeError('x is undefined');
  it.each([
    ['read', false, Object.assign(new Error('socket'), { code: 'UND_ERR_SOCKET' }), 'GH_ERR_UPSTREAM_RESET'],
    ['read', false, new Error('something odd'), 'GH_ERR_UPSTREAM_READ_FAILED'],
    ['write', false, Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), 'GH_ERR_CLIENT_CLOSED'],
    ['process', true, bug, 'GH_ERR_CLIENT_CLOSED'],
  ] as const)('%s (client gone: %s) → %s', (step, gone, err, code) => {
    const e = attributeStreamError(err, step, gone, live);
    expect(e).toBeInstanceOf(GatehouseError);
    expect((e as GatehouseError).code).toBe(code);
    expect((e as GatehouseError).cause).toBe(err);
  });

  it('a fault while processing is returned as is: the runner reports it as internal, with its stack', () => {
    expect(attributeStreamError(bug, 'process', false, live)).toBe(bug);
  });

  it('a GatehouseError keeps its code wherever it happened', () => {
    const blocked = new GatehouseError('GH_ERR_UPSTREAM_RESPONSE_TOO_LARGE');
    expect(attributeStreamError(blocked, 'process', false, live)).toBe(blocked);
  });
});
