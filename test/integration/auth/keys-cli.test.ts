import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { keysCommand, parseDuration } from '../../../src/cli/keys.js';
import { parseConfig } from '../../../src/config/load.js';
import { revocationKey } from '../../../src/edge/auth/revocation.js';
import { createRedisStore } from '../../../src/store/redis.js';
import { eventually } from '../../helpers/gateway.js';
import { bearer, makeService, request } from './fixtures.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('gatehouse keys', () => {
  it('create prints the key once and a YAML snippet whose hash authenticates it', async () => {
    const c = capture();
    expect(await keysCommand(['create', '--consumer', 'team-a', '--expires', '30d'], c.io)).toBe(0);
    const text = c.out.join('');
    const key = text.split('\n').find((l) => l.startsWith('ghk_'))!;
    expect(key).toMatch(/^ghk_[0-9A-Za-z]{48}$/);
    expect(text.split(key)).toHaveLength(2); // printed exactly once
    const snippet = parseYaml(text.slice(text.indexOf('auth:')));
    const cfg = parseConfig({ auth: snippet.auth });
    const entry = cfg.auth.consumers[0]!.apiKeys[0]!;
    expect(entry.hash).not.toContain(key.slice(4));
    expect(Date.parse(entry.expiresAt!)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const { svc } = await makeService({ ...snippet.auth, downstream: { mode: 'none' } });
    expect((await svc.authenticate(request(bearer(key)))).identity.consumer).toBe('team-a');
    await svc.close();
  });

  it('create refuses a missing or odd consumer name; check validates a candidate offline', async () => {
    const c = capture();
    expect(await keysCommand(['create'], c.io)).toBe(2);
    expect(await keysCommand(['create', '--consumer', 'a b'], c.io)).toBe(2);
    const made = capture();
    await keysCommand(['create', '--consumer', 'x'], made.io);
    const key = made.out
      .join('')
      .split('\n')
      .find((l) => l.startsWith('ghk_'))!;
    expect(await keysCommand(['check', key], capture().io)).toBe(0);
    const flipped = key.endsWith('Z') ? 'Y' : 'Z';
    expect(await keysCommand(['check', `${key.slice(0, -1)}${flipped}`], capture().io)).toBe(1);
  });

  it('revoke --id writes the revocation to Redis and announces it', async () => {
    const prefix = `ghtest:auth-cli:${randomUUID()}:`;
    const store = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix });
    await new Promise((r) => store.redis().once('ready', r));
    const heard: string[] = [];
    await store.subscribe('auth:revocations', (m) => heard.push(m));
    const c = capture();
    expect(
      await keysCommand(
        ['revoke', '--id', 'AbCdEfGhIj', '--redis', 'redis://127.0.0.1:6379', '--redis-prefix', prefix],
        c.io,
      ),
    ).toBe(0);
    expect(await store.get(revocationKey('key', 'AbCdEfGhIj'))).toBe('1');
    expect(
      await keysCommand(
        [
          'revoke',
          '--consumer',
          'a',
          '--agent',
          'bot',
          '--ttl',
          '1h',
          '--redis',
          'redis://127.0.0.1:6379',
          '--redis-prefix',
          prefix,
        ],
        c.io,
      ),
    ).toBe(0);
    expect(await store.redis().pttl(`${prefix}${revocationKey('agent', 'a/bot')}`)).toBeGreaterThan(
      3_500_000,
    );
    // A loaded CI machine can take seconds to deliver a pub/sub message: wait for it, do not time it.
    await eventually(() => expect(heard.map((m) => JSON.parse(m).kind)).toEqual(['key', 'agent']), 30_000);
    await store.redis().del(...(await store.redis().keys(`${prefix}*`)));
    await store.close();
  }, 60_000);

  it('revoke without a Redis store explains the config route instead', async () => {
    const c = capture();
    const saved = process.env.GATEHOUSE_REDIS_URL;
    delete process.env.GATEHOUSE_REDIS_URL;
    expect(await keysCommand(['revoke', '--id', 'AbCdEfGhIj'], c.io)).toBe(2);
    process.env.GATEHOUSE_REDIS_URL = saved;
    expect(c.err.join('')).toMatch(/revoked: true/);
    expect(await keysCommand(['revoke'], c.io)).toBe(2);
  });

  it('keypair prints an Ed25519 PKCS#8 key; durations parse', async () => {
    const c = capture();
    expect(await keysCommand(['keypair'], c.io)).toBe(0);
    expect(c.out.join('')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('90m')).toBe(5_400_000);
    expect(parseDuration('soon')).toBeNull();
  });
});
