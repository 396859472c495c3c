import { describe, expect, it } from 'vitest';
import { lintReport } from '../../../src/boot/lint.js';
import { parseConfig } from '../../../src/config/load.js';
import type { GatehouseConfigInput } from '../../../src/config/schema/index.js';
import { managedAttestations } from '../../../src/upstream/managed-lint.js';

const FP = `${'AB:'.repeat(31)}AB`;
const BEDROCK = { region: 'eu-central-1', accessKeyId: '${AWS_ID}', secretAccessKey: '${AWS_SECRET}' };
const ATTESTED = {
  diagnosticLogging: 'cloudwatch:/bedrock/invocations',
  contentFiltering: true,
  quota: { tokensPerMinute: 100_000 },
};

/** A config whose auth satisfies the tier rules, so only the managed-endpoint rules report. */
function cfg(tier: 1 | 2 | 3, up: Record<string, unknown>, extra: Partial<GatehouseConfigInput> = {}) {
  return parseConfig({
    server: { host: '127.0.0.1', tls: { cert: '/c', key: '/k', clientCa: '/ca', clientAuth: 'required' } },
    auth: {
      jwt: { issuers: [{ issuer: 'https://idp.example', audience: 'gh' }] },
      consumers: [{ name: 'svc', tier: 3, mtls: { subjects: ['svc'], fingerprints: [FP] } }],
    },
    routes: [
      {
        alias: 'm',
        tier,
        endpoints: ['chat'],
        upstream: { tls: { ca: '/ca.crt', cert: '/c.crt', key: 'file:/c.key' }, ...up },
      },
    ],
    ...extra,
  });
}

const findings = (c: ReturnType<typeof cfg>) => {
  const r = lintReport(c);
  return { errors: r.errors, warnings: r.warnings };
};

const bedrock = (over: Record<string, unknown> = {}) => ({
  provider: 'bedrock',
  url: 'https://bedrock-runtime.eu-central-1.amazonaws.com',
  model: 'anthropic.claude-3-haiku-20240307-v1:0',
  bedrock: BEDROCK,
  managed: ATTESTED,
  ...over,
});

describe('managed-endpoint lint', () => {
  it('refuses a public endpoint at tier 2 and warns at tier 1', () => {
    expect(findings(cfg(2, bedrock())).errors).toEqual([
      expect.stringMatching(
        /bedrock-runtime\.eu-central-1\.amazonaws\.com is Amazon Bedrock's public endpoint/,
      ),
    ]);
    expect(findings(cfg(1, bedrock())).errors).toEqual([]);
    expect(findings(cfg(1, bedrock())).warnings).toEqual(
      expect.arrayContaining([expect.stringMatching(/public endpoint.*tier 1: allowed/)]),
    );
  });

  it('accepts the public host when the operator lists it as a private endpoint, and a VPC endpoint host', () => {
    const listed = cfg(2, bedrock(), {
      providers: { privateEndpointHosts: ['bedrock-runtime.eu-central-1.amazonaws.com'] },
    });
    expect(findings(listed).errors).toEqual([]);
    const vpce = cfg(
      2,
      bedrock({ url: 'https://vpce-0a1b2c3d.bedrock-runtime.eu-central-1.vpce.amazonaws.com' }),
      {
        providers: { privateEndpointHosts: ['*.vpce.amazonaws.com'] },
      },
    );
    expect(findings(vpce).errors).toEqual([]);
  });

  it.each([
    [
      'Azure',
      {
        provider: 'azure-openai',
        url: 'https://contoso.openai.azure.com',
        model: 'gpt-4o-2024-08-06',
        azure: { deployment: 'gpt4o', apiVersion: '2024-10-21' },
      },
      /Azure OpenAI's public endpoint/,
    ],
    [
      'Vertex',
      {
        provider: 'vertex',
        url: 'https://europe-west4-aiplatform.googleapis.com',
        model: 'gemini-2.0-flash-001',
        vertex: { project: 'my-project-1', location: 'europe-west4', serviceAccount: '/sa.json' },
      },
      /Vertex AI's public endpoint/,
    ],
    [
      'Anthropic',
      { provider: 'anthropic', url: 'https://api.anthropic.com/v1', model: 'claude-3-5-sonnet-20241022' },
      /Anthropic's public endpoint/,
    ],
  ])('refuses %s public endpoints at tier 2', (_n, up, re) => {
    expect(findings(cfg(2, { ...up, managed: ATTESTED })).errors).toEqual([expect.stringMatching(re)]);
  });

  it('refuses a region outside the allowlist, a missing region, and a host in another region', () => {
    const priv = { privateEndpointHosts: ['*.amazonaws.com', '*.azure.com'] };
    expect(
      findings(cfg(2, bedrock(), { providers: { ...priv, allowedRegions: ['eu-central-1', 'eu-west-1'] } }))
        .errors,
    ).toEqual([]);
    expect(
      findings(
        cfg(
          2,
          bedrock({
            bedrock: { ...BEDROCK, region: 'us-east-1' },
            url: 'https://bedrock-runtime.us-east-1.amazonaws.com',
          }),
          { providers: { ...priv, allowedRegions: ['eu-central-1'] } },
        ),
      ).errors,
    ).toEqual([
      expect.stringMatching(/region us-east-1 is outside providers\.allowedRegions \(eu-central-1\)/),
    ]);
    const azure = {
      provider: 'azure-openai',
      url: 'https://contoso.openai.azure.com',
      model: 'gpt-4o-2024-08-06',
      azure: { deployment: 'gpt4o', apiVersion: '2024-10-21' },
      managed: ATTESTED,
    };
    expect(
      findings(cfg(2, azure, { providers: { ...priv, allowedRegions: ['swedencentral'] } })).errors,
    ).toEqual([expect.stringMatching(/managed\.region: providers\.allowedRegions is set/)]);
    expect(
      findings(
        cfg(
          2,
          { ...azure, managed: { ...ATTESTED, region: 'swedencentral' } },
          { providers: { ...priv, allowedRegions: ['swedencentral'] } },
        ),
      ).errors,
    ).toEqual([]);
    expect(
      findings(
        cfg(2, bedrock({ url: 'https://bedrock-runtime.us-west-2.amazonaws.com' }), { providers: priv }),
      ).errors,
    ).toEqual([
      expect.stringMatching(/host is in us-west-2 but the deployment is configured for eu-central-1/),
    ]);
  });

  it.each([
    [
      'a Bedrock id without its version',
      'anthropic.claude-3-haiku-20240307',
      /dateless Amazon Bedrock alias/,
    ],
    ['a Vertex model without its version suffix', 'gemini-2.0-flash', /dateless Gemini alias/],
    ['a dateless Azure/OpenAI model', 'gpt-4o', /dateless OpenAI alias/],
    ['latest', 'claude-3-5-sonnet-latest', /uses "latest"/],
  ])('refuses %s at tier 2', (_n, model, re) => {
    const c = cfg(2, bedrock({ model }), { providers: { privateEndpointHosts: ['*.amazonaws.com'] } });
    expect(findings(c).errors).toEqual([expect.stringMatching(re)]);
  });

  it('refuses a DRAFT guardrail at tier 2, requires a CMK attestation at tier 3, warns on missing attestations', () => {
    const priv = { providers: { privateEndpointHosts: ['*.amazonaws.com'] } };
    expect(
      findings(
        cfg(
          2,
          bedrock({ bedrock: { ...BEDROCK, guardrail: { identifier: 'gr-1', version: 'DRAFT' } } }),
          priv,
        ),
      ).errors,
    ).toEqual([expect.stringMatching(/guardrail\.version: DRAFT/)]);
    expect(findings(cfg(3, bedrock(), priv)).errors).toEqual([
      expect.stringMatching(/tier 3 requires customer-managed keys/),
    ]);
    expect(
      findings(
        cfg(
          3,
          bedrock({
            managed: { ...ATTESTED, customerManagedKey: 'arn:aws:kms:eu-central-1:111122223333:key/abc' },
          }),
          priv,
        ),
      ).errors,
    ).toEqual([]);
    const bare = findings(cfg(2, bedrock({ managed: undefined }), priv));
    expect(bare.errors).toEqual([]);
    expect(bare.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/managed\.quota: no allocated quota/),
        expect.stringMatching(/diagnosticLogging: not attested/),
        expect.stringMatching(/contentFiltering/),
      ]),
    );
  });

  it('reports attestations as stated, never as verified', () => {
    const c = cfg(
      3,
      bedrock({ managed: { ...ATTESTED, customerManagedKey: 'arn:aws:kms:eu-central-1:1:key/k' } }),
    );
    expect(managedAttestations(c.routes)).toEqual([
      {
        route: 'm',
        provider: 'bedrock',
        diagnosticLogging: 'cloudwatch:/bedrock/invocations',
        customerManagedKey: 'arn:aws:kms:eu-central-1:1:key/k',
        contentFiltering: true,
        verified: false,
      },
    ]);
  });

  it('refuses endpoints a chat-only provider cannot serve', () => {
    const priv = { providers: { privateEndpointHosts: ['*.amazonaws.com'] } };
    const c = parseConfig({
      ...cfg(1, bedrock(), priv),
      routes: [{ ...cfg(1, bedrock(), priv).routes[0], endpoints: ['chat', 'embeddings'] }],
    });
    expect(findings(c).errors).toEqual([expect.stringMatching(/provider bedrock serves chat only/)]);
  });
});
