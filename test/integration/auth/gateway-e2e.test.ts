import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import OpenAI from 'openai';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGES } from '../../../src/boot/stages.js';
import type { GatehouseConfigInput } from '../../../src/config/schema/index.js';
import { authorizeRouteStage } from '../../../src/edge/auth/authorize-stage.js';
import { AUTH } from '../../../src/edge/auth/slots.js';
import { authenticateStage } from '../../../src/edge/auth/stage.js';
import { generateApiKey, hashApiKey } from '../../../src/formats/api-key.js';
import type { StageDef } from '../../../src/pipeline/registry.js';
import { demoRoute, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { createPki, type Pki } from '../../helpers/pki.js';
import { startIssuer, type TestIssuer } from './fixtures.js';

/** The auth stages, whether or not STAGES registers them yet. */
const stages: readonly StageDef[] = [
  ...STAGES,
  ...[authenticateStage, authorizeRouteStage].filter((s) => !STAGES.includes(s)),
];

const key = generateApiKey('ghk_');
const keyB = generateApiKey('ghk_');
process.env.GH_E2E_SESSION_KEY = generateKeyPairSync('ed25519')
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();
let iss: TestIssuer;
let pki: Pki;
let gw: TestGateway;
let tlsGw: TestGateway;
let alpha: ReturnType<Pki['issueClient']>;
/** Same SAN and CA as alpha's certificate, but not pinned. */
let alphaTwin: ReturnType<Pki['issueClient']>;

const ask = (client: OpenAI, model = 'demo') =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello' }], max_tokens: 8 });

async function apiError(p: Promise<unknown>): Promise<{ status: number; code: unknown }> {
  try {
    await p;
    return { status: 200, code: null };
  } catch (err) {
    if (err instanceof OpenAI.APIError) return { status: err.status ?? 0, code: err.code };
    throw err;
  }
}

const jwtFor = async (sub: string) =>
  iss.sign({ iss: iss.issuer, aud: 'gatehouse', sub, exp: Math.floor(Date.now() / 1000) + 600 });

beforeAll(async () => {
  iss = await startIssuer();
  pki = createPki();
  alpha = pki.issueClient('svc-alpha', { uri: 'spiffe://example.org/ns/prod/sa/alpha' });
  alphaTwin = pki.issueClient('svc-alpha-twin', { uri: 'spiffe://example.org/ns/prod/sa/alpha' });
  const auth: GatehouseConfigInput['auth'] = {
    consumers: [
      { name: 'team-a', aliases: ['demo'], apiKeys: [{ id: key.id, hash: hashApiKey(key.key, undefined) }] },
      { name: 'team-b', tier: 2, apiKeys: [{ id: keyB.id, hash: hashApiKey(keyB.key, undefined) }] },
      { name: 'svc-jwt', tier: 2 },
      {
        name: 'alpha',
        tier: 3,
        mtls: {
          sans: ['URI:spiffe://example.org/ns/prod/sa/alpha'],
          fingerprints: [new X509Certificate(alpha.certPem).fingerprint256],
        },
      },
    ],
    jwt: { issuers: [{ issuer: iss.issuer, audience: 'gatehouse' }] },
    sessions: { enabled: true, signingKey: '${GH_E2E_SESSION_KEY}' },
  };
  gw = await startTestGateway({
    // Plain HTTP: no certificate identities (lint refuses mTLS consumers on a listener without them).
    config: (u) => ({
      routes: [demoRoute(u), demoRoute(u, { alias: 'demo-t2', tier: 2 })],
      auth: { ...auth, consumers: auth.consumers?.filter((c) => c.mtls === undefined) },
    }),
    start: { stages },
  });
  tlsGw = await startTestGateway({
    config: (u) => ({
      server: {
        tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.clientCa, clientAuth: 'required' },
        allowPlaintext: false,
      },
      routes: [demoRoute(u), demoRoute(u, { alias: 'demo-t3', tier: 3 })],
      auth,
    }),
    start: { stages },
  });
});
afterAll(async () => {
  await Promise.all([gw?.close(), tlsGw?.close(), iss?.close()]);
});

describe('the official openai client with each auth method', () => {
  it('API key: answers, and the upstream gets a signed identity instead of the key', async () => {
    const res = await ask(gw.client({ apiKey: key.key }));
    expect(res.choices[0]?.message.content).toBeTruthy();
    const seen = gw.upstream.received.at(-1)!.headers;
    expect(JSON.stringify(seen)).not.toContain(key.key);
    expect(JSON.stringify(seen)).not.toContain(key.key.slice(14, 46));
    const jwks = createLocalJWKSet(AUTH.require(gw.gw.rt).publicJwks());
    const { payload } = await jwtVerify(String(seen['x-gatehouse-identity']), jwks, {
      audience: 'gatehouse-upstream',
    });
    expect(payload).toMatchObject({ sub: 'team-a', gh_method: 'api_key', gh_tier: 1 });
    // The identity reaches the per-request log line.
    expect(gw.logs.requests().at(-1)).toMatchObject({
      consumer: 'team-a',
      auth_method: 'api_key',
      client_address: '127.0.0.1',
    });
    expect(JSON.stringify(gw.logs.raw)).not.toContain(key.key.slice(14, 46));
  });

  it('API key: wrong, missing and lookalike credentials get 401s with distinct codes', async () => {
    expect(await apiError(ask(gw.client({ apiKey: generateApiKey('ghk_').key })))).toEqual({
      status: 401,
      code: 'GH_ERR_AUTH_INVALID',
    });
    expect(await apiError(ask(gw.client({ apiKey: `ghk-${key.key.slice(4)}` })))).toEqual({
      status: 401,
      code: 'GH_ERR_AUTH_MALFORMED',
    });
    const res = await fetch(`${gw.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_AUTH_MISSING');
  });

  it('API key: refused on a tier 2 route', async () => {
    // team-a is limited to the "demo" alias, so the tier 2 alias is not even visible to it.
    expect(await apiError(ask(gw.client({ apiKey: key.key }), 'demo-t2'))).toMatchObject({ status: 404 });
    // team-b is cleared for tier 2, but not with an API key.
    expect(await apiError(ask(gw.client({ apiKey: keyB.key }), 'demo-t2'))).toEqual({
      status: 403,
      code: 'GH_ERR_AUTH_METHOD_NOT_ALLOWED',
    });
    expect((await ask(gw.client({ apiKey: keyB.key }))).choices.length).toBe(1);
  });

  it('OIDC JWT: answers on tier 1 and tier 2 routes; an unregistered subject is refused and logged', async () => {
    const client = gw.client({ apiKey: await jwtFor('svc-jwt') });
    expect((await ask(client)).choices.length).toBe(1);
    expect((await ask(client, 'demo-t2')).choices.length).toBe(1);
    const seen = gw.upstream.received.at(-1)!.headers;
    expect(String(seen['x-gatehouse-identity'])).not.toBe('');
    expect(JSON.stringify(seen)).not.toContain('svc-jwt"'); // the bearer token itself is not forwarded
    expect(await apiError(ask(gw.client({ apiKey: await jwtFor('stranger') })))).toEqual({
      status: 403,
      code: 'GH_ERR_AUTH_UNKNOWN_CONSUMER',
    });
    expect(gw.logs.lines.some((l) => l.event === 'unknown_consumer' && l.claimed === 'stranger')).toBe(true);
  });

  it('session token: scoped to its aliases, carries agent and session, revocable', async () => {
    const auth = AUTH.require(gw.gw.rt);
    const jwtIdentity = await auth.authenticate({
      headers: { authorization: `Bearer ${await jwtFor('svc-jwt')}` },
      peerCertificate: null,
      sourceIp: '127.0.0.1',
      userAgent: 'test',
      events: [],
    });
    const grant = await auth.sessions!.mint(jwtIdentity.identity, jwtIdentity.root, {
      agent: 'planner',
      session: 'e2e-1',
      aliases: ['demo'],
    });
    const client = gw.client({ apiKey: grant.token });
    expect((await ask(client)).choices.length).toBe(1);
    const { payload } = await jwtVerify(
      String(gw.upstream.received.at(-1)!.headers['x-gatehouse-identity']),
      createLocalJWKSet(auth.publicJwks()),
    );
    expect(payload).toMatchObject({
      sub: 'svc-jwt',
      gh_agent: 'planner',
      gh_session: 'e2e-1',
      gh_method: 'session',
    });
    // Outside its scope the alias does not exist for this token.
    expect((await apiError(ask(client, 'demo-t2'))).status).toBe(404);
    await auth.sessions!.revoke(jwtIdentity.identity, { session: 'e2e-1' });
    expect(await apiError(ask(client))).toEqual({ status: 401, code: 'GH_ERR_AUTH_REVOKED' });
  });

  it('mTLS: a client certificate alone identifies the consumer on a tier 3 route', async () => {
    const dispatcher = new Agent({
      connect: { cert: alpha.certPem, key: alpha.keyPem, ca: pki.read(pki.caCert), servername: 'localhost' },
    });
    const client = new OpenAI({
      baseURL: `${tlsGw.gw.url}/v1`,
      apiKey: 'placeholder',
      maxRetries: 0,
      defaultHeaders: { authorization: null },
      fetchOptions: { dispatcher } as never,
    });
    expect((await ask(client, 'demo-t3')).choices.length).toBe(1);
    const { payload } = await jwtVerify(
      String(tlsGw.upstream.received.at(-1)!.headers['x-gatehouse-identity']),
      createLocalJWKSet(AUTH.require(tlsGw.gw.rt).publicJwks()),
    );
    expect(payload).toMatchObject({ sub: 'alpha', gh_method: 'mtls', gh_tier: 3 });
    // Over the same mutual-TLS connection a bearer token identifies instead: a tier 2 consumer may
    // use tier 1 routes but not the tier 3 one.
    const withJwt = new OpenAI({
      baseURL: `${tlsGw.gw.url}/v1`,
      apiKey: await jwtFor('svc-jwt'),
      maxRetries: 0,
      fetchOptions: { dispatcher } as never,
    });
    expect((await ask(withJwt)).choices.length).toBe(1);
    expect(await apiError(ask(withJwt, 'demo-t3'))).toEqual({
      status: 403,
      code: 'GH_ERR_AUTH_TIER_FORBIDDEN',
    });
    await dispatcher.close();
  });

  it('tier 3: a valid OIDC token over an unpinned certificate from the trusted CA is refused', async () => {
    const over = (c: ReturnType<Pki['issueClient']>) =>
      new Agent({
        connect: { cert: c.certPem, key: c.keyPem, ca: pki.read(pki.caCert), servername: 'localhost' },
      });
    const pinned = over(alpha);
    const unpinned = over(alphaTwin);
    const token = await jwtFor('alpha');
    const withToken = (dispatcher: Agent) =>
      new OpenAI({
        baseURL: `${tlsGw.gw.url}/v1`,
        apiKey: token,
        maxRetries: 0,
        fetchOptions: { dispatcher } as never,
      });
    // The same token over the pinned certificate answers...
    expect((await ask(withToken(pinned), 'demo-t3')).choices.length).toBe(1);
    // ...but over another certificate of the same CA (and the same SAN) it is refused.
    const before = tlsGw.upstream.received.length;
    expect(await apiError(ask(withToken(unpinned), 'demo-t3'))).toEqual({
      status: 403,
      code: 'GH_ERR_AUTH_CERT_NOT_PINNED',
    });
    // Same for the certificate alone (mTLS identity), and nothing reached the model.
    const certOnly = new OpenAI({
      baseURL: `${tlsGw.gw.url}/v1`,
      apiKey: 'placeholder',
      maxRetries: 0,
      defaultHeaders: { authorization: null },
      fetchOptions: { dispatcher: unpinned } as never,
    });
    expect((await apiError(ask(certOnly, 'demo-t3'))).status).toBe(403);
    expect(tlsGw.upstream.received.length).toBe(before);
    // Tier 1 routes keep accepting the token over any verified certificate.
    expect((await ask(withToken(unpinned))).choices.length).toBe(1);
    await Promise.all([pinned.close(), unpinned.close()]);
  });
});
