import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compileConstraints } from '../../../src/tools/args/constraints.js';
import { hostsAllowed } from '../../../src/tools/args/hosts.js';
import { pathAllowed } from '../../../src/tools/args/paths.js';
import { createSchemaCompiler } from '../../../src/tools/args/schema.js';
import { canonicalJson, hashOf } from '../../../src/tools/canonical.js';
import { signManifest, verifyManifest } from '../../../src/tools/manifest/format.js';
import { compileProjection } from '../../../src/tools/output/projection.js';

describe('path roots', () => {
  it.each([
    ['/srv/data/a.txt', true],
    ['/srv/data', true],
    ['sub/b.txt', true],
    ['/srv/database/x', false],
    ['/srv/data/../secrets', false],
    ['../../etc/passwd', false],
    ['%2e%2e/%2e%2e/etc/passwd', false],
    ['file:///etc/passwd', false],
    ['/srv/data/\0/x', false],
  ])('%s → %s', (p, ok) => expect(pathAllowed(p, ['/srv/data'])).toBe(ok));
});

describe('hosts in string arguments', () => {
  it.each([
    ['https://api.example.com/v1', true],
    ['see https://api.example.com and https://evil.test/', false],
    ['https://api.example.com@evil.test/', false],
    ['https://sub.cdn.example.org/x', true],
    ['https://cdn.example.org.evil.test/', false],
    ['no url here', true],
    ['evil.test', false],
  ])('%s → %s', (v, ok) => expect(hostsAllowed(v, ['api.example.com', '*.cdn.example.org'])).toBe(ok));
});

describe('operator constraints', () => {
  const check = compileConstraints({
    n: { minimum: 1, maximum: 10 },
    mode: { enum: ['fast', 'safe'] },
    id: { pattern: '[a-z]{3}-[0-9]{2}', maxLength: 6 },
  });
  it.each([
    [{ n: 5, mode: 'fast', id: 'abc-12' }, null],
    [{ n: 0 }, 'n: minimum'],
    [{ n: 11 }, 'n: maximum'],
    [{ mode: 'yolo' }, 'mode: enum'],
    [{ id: 'abc-123' }, 'id: maxLength'],
    [{ id: 'ABC-12' }, 'id: pattern'],
  ])('%j → %s', (args, detail) => expect(check(args)?.detail ?? null).toBe(detail));
});

describe('tool schemas (2020-12, compiled once)', () => {
  const compile = createSchemaCompiler();
  it('closes the top-level object unless the schema opens it, and accepts draft-07 tool schemas', () => {
    const closed = compile({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { a: { type: 'number' } },
    });
    expect(closed({ a: 1 })).toBeNull();
    expect(closed({ a: 1, b: 2 })).toContain('additionalProperties');
    const open = compile({
      type: 'object',
      properties: { a: { type: 'number' } },
      additionalProperties: true,
    });
    expect(open({ a: 1, b: 2 })).toBeNull();
  });
  it('runs schema patterns on RE2 (no catastrophic backtracking from an upstream schema)', () => {
    const check = compile({ type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } });
    expect(check({ s: `${'a'.repeat(50_000)}!` })).toContain('pattern');
  });
});

describe('canonical hashes and projection', () => {
  it('hashes the same value the same whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
    );
    expect(hashOf({ a: 1, b: 2 })).toBe(hashOf({ b: 2, a: 1 }));
  });
  it('keeps only declared fields, through arrays', () => {
    const p = compileProjection(['id', 'orders.total']);
    expect(p({ id: 1, ssn: 'x', orders: [{ total: 5, card: 'y' }, { total: 6 }] })).toEqual({
      id: 1,
      orders: [{ total: 5 }, { total: 6 }],
    });
  });
});

describe('signed manifests', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const priv = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const pub = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const body = {
    version: 1 as const,
    created: '2026-12-05T00:00:00Z',
    servers: { fs: { tools: { read: `sha256:${'a'.repeat(64)}` } } },
  };
  const text = JSON.stringify(signManifest(body, priv));
  it('verifies, whatever the formatting', () => {
    expect(verifyManifest(text, pub)).toEqual({ ok: true, body });
    expect(verifyManifest(JSON.stringify(JSON.parse(text), null, 4), pub).ok).toBe(true);
  });
  it.each([
    ['a changed pin', text.replace('aaaa', 'aaab'), 'bad_signature'],
    [
      'an added tool',
      text.replace('"read":', '"write":"sha256:' + 'b'.repeat(64) + '","read":'),
      'bad_signature',
    ],
    ['no signature', JSON.stringify({ manifest: body }), 'unsigned'],
    ['not JSON', '{', 'malformed'],
  ])('refuses %s', (_what, t, reason) => expect(verifyManifest(t, pub)).toEqual({ ok: false, reason }));
  it('refuses another key', () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(verifyManifest(text, other)).toEqual({ ok: false, reason: 'wrong_key' });
  });
});
