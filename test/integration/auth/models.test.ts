import { X509Certificate } from 'node:crypto';
import OpenAI from 'openai';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoApiKey } from '../../../src/edge/auth/demo.js';
import { demoRoute, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { createPki, type Pki } from '../../helpers/pki.js';
import { startIssuer, type TestIssuer } from './fixtures.js';

/**
 * `/v1/models` and `/v1/models/{id}` with the official client: a caller sees exactly the aliases it
 * could call (alias permissions, tier clearance, method and certificate rules), and an alias it may
 * not use answers like one that does not exist.
 */
/** A consumer with a fresh API key (only its hash goes into the config). */
function keyed(name: string) {
  const d = demoApiKey(name);
  const consumer = d.auth.consumers?.[0];
  if (consumer === undefined) throw new Error('demoApiKey returned no consumer');
  return { key: d.key, consumer };
}
const keyT2 = keyed('svc-t2');
const keyNarrow = keyed('narrow');
let iss: TestIssuer;
let pki: Pki;
let gw: TestGateway;
let pinned: Agent;
let unpinned: Agent;

const jwtFor = (sub: string) =>
  iss.sign({ iss: iss.issuer, aud: 'gatehouse', sub, exp: Math.floor(Date.now() / 1000) + 600 });

function client(apiKey: string, dispatcher: Agent): OpenAI {
  return new OpenAI({
    baseURL: `${gw.gw.url}/v1`,
    apiKey,
    maxRetries: 0,
    fetchOptions: { dispatcher } as never,
  });
}

async function list(c: OpenAI): Promise<string[]> {
  const ids: string[] = [];
  for await (const m of c.models.list()) ids.push(m.id);
  return ids.sort();
}

async function retrieve(c: OpenAI, id: string): Promise<{ status: number; body: unknown }> {
  try {
    return { status: 200, body: await c.models.retrieve(id) };
  } catch (err) {
    if (!(err instanceof OpenAI.APIError)) throw err;
    return { status: err.status ?? 0, body: { code: err.code, message: err.message } };
  }
}

beforeAll(async () => {
  iss = await startIssuer();
  pki = createPki();
  const svcCert = pki.issueClient('svc-ledger');
  const otherCert = pki.issueClient('svc-other');
  const agent = (c: ReturnType<Pki['issueClient']>) =>
    new Agent({
      connect: { cert: c.certPem, key: c.keyPem, ca: pki.read(pki.caCert), servername: 'localhost' },
    });
  pinned = agent(svcCert);
  unpinned = agent(otherCert);
  gw = await startTestGateway({
    config: (u) => ({
      server: {
        tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.clientCa, clientAuth: 'required' },
        allowPlaintext: false,
      },
      routes: [
        demoRoute(u, { alias: 'open' }),
        demoRoute(u, { alias: 'other' }),
        demoRoute(u, { alias: 'internal', tier: 2 }),
        demoRoute(u, { alias: 'ledger', tier: 3 }),
      ],
      auth: {
        consumers: [
          { ...keyT2.consumer, tier: 2 },
          { ...keyNarrow.consumer, aliases: ['open'] },
          { name: 'svc-jwt', tier: 2 },
          {
            name: 'ledger-svc',
            tier: 3,
            mtls: {
              subjects: ['svc-ledger'],
              fingerprints: [new X509Certificate(svcCert.certPem).fingerprint256],
            },
          },
        ],
        jwt: { issuers: [{ issuer: iss.issuer, audience: 'gatehouse' }] },
      },
    }),
  });
});
afterAll(async () => {
  await Promise.all([pinned?.close(), unpinned?.close()]);
  await Promise.all([gw?.close(), iss?.close()]);
});

describe('models.list() shows only what the caller may call', () => {
  it.each([
    ['an API key restricted to one alias', () => keyNarrow.key, 'unpinned', ['open']],
    [
      'a tier 2 consumer with an API key (tier 2 refuses API keys)',
      () => keyT2.key,
      'unpinned',
      ['open', 'other'],
    ],
    [
      'a tier 2 consumer with an OIDC token',
      () => jwtFor('svc-jwt'),
      'unpinned',
      ['internal', 'open', 'other'],
    ],
    [
      'a tier 3 consumer with an OIDC token over an unpinned certificate',
      () => jwtFor('ledger-svc'),
      'unpinned',
      ['internal', 'open', 'other'],
    ],
    [
      'a tier 3 consumer with an OIDC token over its pinned certificate',
      () => jwtFor('ledger-svc'),
      'pinned',
      ['internal', 'ledger', 'open', 'other'],
    ],
  ] as const)('%s', async (_n, cred, cert, expected) => {
    const c = client(await cred(), cert === 'pinned' ? pinned : unpinned);
    const ids = await list(c);
    expect(ids).toEqual(expected);
    // And every listed alias really answers for that caller.
    for (const model of ids) {
      const r = await c.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 4,
      });
      expect(r.model).toBe(model);
    }
  });
});

describe('models.retrieve()', () => {
  it('returns a callable alias', async () => {
    const c = client(await jwtFor('ledger-svc'), pinned);
    expect(await retrieve(c, 'ledger')).toEqual({
      status: 200,
      body: { id: 'ledger', object: 'model', created: 0, owned_by: 'gatehouse' },
    });
  });

  it('answers an alias the caller may not use exactly like one that does not exist', async () => {
    const c = client(await jwtFor('ledger-svc'), unpinned);
    const hidden = await retrieve(c, 'ledger');
    const missing = await retrieve(c, 'ledgre');
    expect(hidden).toEqual({
      status: 404,
      body: { code: 'GH_ERR_UNKNOWN_MODEL', message: expect.stringContaining("'ledger' does not exist") },
    });
    expect(JSON.stringify(missing).replace('ledgre', 'ledger')).toBe(JSON.stringify(hidden));
    const narrow = client(keyNarrow.key, unpinned);
    expect((await retrieve(narrow, 'other')).body).toMatchObject({ code: 'GH_ERR_UNKNOWN_MODEL' });
    expect((await retrieve(narrow, 'open')).status).toBe(200);
  });

  it('decodes the id and refuses nested or empty paths', async () => {
    const c = client(keyNarrow.key, unpinned);
    const get = (path: string) =>
      c.get(path).then(
        () => 200,
        (e: InstanceType<typeof OpenAI.APIError>) => `${e.status} ${e.code}`,
      );
    expect(await get('/models/op%65n')).toBe(200);
    expect(await get('/models/open/x')).toBe('404 GH_ERR_NOT_FOUND');
    expect(await get('/models/%E0%A4%A')).toBe('404 GH_ERR_NOT_FOUND');
  });
});
