import type { LintRule } from '../config/lint.js';
import { type LintFinding, lintWarning } from '../config/lint-finding.js';
import type { RouteConfig } from '../config/schema/route.js';
import type { ProviderKind } from '../formats/provider.js';

/*
 * The seed's managed-endpoint hardening, checked at lint and at boot (docs/providers.md):
 * private endpoints and data residency at tier 2+, pinned guardrail versions, quota allocation, and
 * the controls the gateway cannot see (diagnostic logging, customer-managed keys) as attestations.
 * Model version pinning itself is `pinnedModelsLint` (model-pins.ts), which covers every family.
 */

/** Providers run by a cloud vendor (the others are self-hosted: vLLM, TGI, Ollama). */
const MANAGED: ReadonlySet<ProviderKind> = new Set(['azure-openai', 'bedrock', 'vertex', 'anthropic']);

/** `openai` is also the kind of any OpenAI-compatible server: it is managed only at OpenAI's own host. */
const isManaged = (u: RouteConfig['upstream']): boolean =>
  MANAGED.has(u.provider) ||
  (u.provider === 'openai' && new URL(u.url).hostname.toLowerCase() === 'api.openai.com');

/**
 * The vendors' public endpoint hosts. A private endpoint has either another name (a VPC interface
 * endpoint `vpce-...`, a PSC name) or the same name resolved privately (Azure Private Link): the
 * operator lists those hosts in `providers.privateEndpointHosts`.
 */
const PUBLIC_HOSTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^api\.openai\.com$/, 'OpenAI'],
  [/^[a-z0-9-]+\.openai\.azure\.com$/, 'Azure OpenAI'],
  [/^[a-z0-9-]+\.cognitiveservices\.azure\.com$/, 'Azure AI services'],
  [/^bedrock-runtime(-fips)?\.[a-z0-9-]+\.amazonaws\.com$/, 'Amazon Bedrock'],
  [/^([a-z0-9-]+-)?aiplatform\.googleapis\.com$/, 'Vertex AI'],
  [/^api\.anthropic\.com$/, 'Anthropic'],
];

function matchesHost(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase();
  return patterns.some((p) => {
    const q = p.toLowerCase();
    return q.startsWith('*.') ? h.endsWith(q.slice(1)) && h.length > q.length - 1 : h === q;
  });
}

/** The region a managed deployment runs in: its settings, else the attested `managed.region`. */
export function deploymentRegion(u: RouteConfig['upstream']): string | undefined {
  return u.bedrock?.region ?? u.vertex?.location ?? u.managed?.region;
}

/** The region its host names, when the vendor puts it there (Bedrock, Vertex). */
function hostRegion(host: string): string | undefined {
  return (
    /^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host)?.[1] ??
    /^([a-z]+-[a-z]+\d+)-aiplatform\.googleapis\.com$/.exec(host)?.[1]
  );
}

export const managedEndpointLint: LintRule = (cfg) =>
  cfg.routes.flatMap((r, i): LintFinding[] => {
    const u = r.upstream;
    if (!isManaged(u)) return [];
    const at = `routes[${i}].upstream`;
    const out: LintFinding[] = [];
    const host = new URL(u.url).hostname.toLowerCase();
    const isPrivate = matchesHost(host, cfg.providers.privateEndpointHosts);
    const vendor = PUBLIC_HOSTS.find(([re]) => re.test(host))?.[1];
    if (vendor !== undefined && !isPrivate) {
      const msg = `${at}.url: ${host} is ${vendor}'s public endpoint; use a private endpoint (Private Link / VPC endpoint / Private Service Connect) and list its host in providers.privateEndpointHosts`;
      out.push(r.tier >= 2 ? msg : lintWarning(`${msg} (tier 1: allowed)`));
    }
    // Data residency: the deployment's region must be one the operator allows.
    const region = deploymentRegion(u);
    const allowed = cfg.providers.allowedRegions;
    if (allowed.length > 0) {
      if (region === undefined)
        out.push(`${at}.managed.region: providers.allowedRegions is set; name this deployment's region`);
      else if (!allowed.includes(region))
        out.push(`${at}: region ${region} is outside providers.allowedRegions (${allowed.join(', ')})`);
    }
    const named = hostRegion(host);
    if (named !== undefined && region !== undefined && named !== region)
      out.push(`${at}.url: the host is in ${named} but the deployment is configured for ${region}`);
    if (r.tier >= 2 && u.bedrock?.guardrail?.version === 'DRAFT')
      out.push(
        `${at}.bedrock.guardrail.version: DRAFT changes under the route; pin a numbered guardrail version`,
      );
    if (r.tier >= 2) {
      if (u.managed?.quota === undefined)
        out.push(
          lintWarning(
            `${at}.managed.quota: no allocated quota recorded; the 80% alert then relies on the provider's rate-limit headers only`,
          ),
        );
      if (u.managed?.diagnosticLogging === undefined)
        out.push(
          lintWarning(`${at}.managed.diagnosticLogging: not attested for a tier ${r.tier} deployment`),
        );
      if (u.managed?.contentFiltering !== true)
        out.push(
          lintWarning(
            `${at}.managed.contentFiltering: the provider's content filtering (the baseline) is not attested`,
          ),
        );
    }
    if (r.tier === 3 && u.managed?.customerManagedKey === undefined)
      out.push(
        `${at}.managed.customerManagedKey: tier 3 requires customer-managed keys at the provider (attest the key id)`,
      );
    return out;
  });

/** The attested controls of every managed route, as the audit reports them: stated, not verified. */
export function managedAttestations(routes: readonly RouteConfig[]): Array<{
  route: string;
  provider: ProviderKind;
  diagnosticLogging: string | null;
  customerManagedKey: string | null;
  contentFiltering: boolean | null;
  verified: false;
}> {
  return routes
    .filter((r) => isManaged(r.upstream))
    .map((r) => ({
      route: r.alias,
      provider: r.upstream.provider,
      diagnosticLogging: r.upstream.managed?.diagnosticLogging ?? null,
      customerManagedKey: r.upstream.managed?.customerManagedKey ?? null,
      contentFiltering: r.upstream.managed?.contentFiltering ?? null,
      verified: false,
    }));
}

/** Providers whose native API serves chat only (their translators refuse the rest). */
const CHAT_ONLY: ReadonlySet<ProviderKind> = new Set(['bedrock', 'vertex', 'anthropic', 'ollama-native']);

/** A route that offers an endpoint its provider cannot serve would fail every such request: refused at lint. */
export const providerEndpointsLint: LintRule = (cfg) =>
  cfg.routes.flatMap((r, i) =>
    CHAT_ONLY.has(r.upstream.provider) && r.endpoints.some((e) => e !== 'chat')
      ? [`routes[${i}].endpoints: provider ${r.upstream.provider} serves chat only (set endpoints: [chat])`]
      : [],
  );
