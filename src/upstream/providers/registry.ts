import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { RouteConfig } from '../../config/schema/route.js';
import { resolveSecret, secretRefKind } from '../../config/secrets.js';
import type { ProviderKind, ProviderTranslator } from '../../formats/provider.js';
import { createOpenAICompatTranslator } from './openai-compat.js';
import { withQuota } from './quota.js';
import { formTokenSource } from './token-source.js';

export interface ProviderDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly metrics: Registry;
}

/**
 * Native translators are loaded only when a route uses them: the AWS signer and event-stream codec
 * alone take longer to load than the rest of the gateway, and most deployments use one provider.
 */
type Factory = (rc: RouteConfig, deps: ProviderDeps) => ProviderTranslator | Promise<ProviderTranslator>;

/** A setting the schema requires for this provider (upstream refine): absent only by a bug. */
function required<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`upstream.${what} is required for this provider`);
  return v;
}

/** A secret that may be a file path (a service-account key file) or a secret reference. */
const readKeyFile = (ref: string, env: NodeJS.ProcessEnv): string =>
  secretRefKind(ref) === 'inline' ? readFileSync(ref, 'utf8') : resolveSecret(ref, env);

/** One translator factory per provider kind; adding a backend is one entry here. */
export const PROVIDERS: Readonly<Record<ProviderKind, Factory>> = Object.freeze({
  openai: () => createOpenAICompatTranslator('openai', true),
  // vLLM: OpenAI-compatible; its extras (guided_json ...) pass through route.allowFields.
  vllm: () => createOpenAICompatTranslator('vllm', true),
  // TGI's Messages API and Ollama's /v1 accept stream_options; usage is also counted as a fallback.
  tgi: () => createOpenAICompatTranslator('tgi', true),
  ollama: () => createOpenAICompatTranslator('ollama', true),
  'ollama-native': async () => (await import('./ollama-native.js')).createOllamaNativeTranslator(),
  anthropic: async (rc) => (await import('./anthropic.js')).createAnthropicTranslator(rc.upstream.anthropic),
  'azure-openai': async (rc, { env }) => {
    const { createAzureTranslator } = await import('./azure-openai.js');
    const s = required(rc.upstream.azure, 'azure');
    const e = s.entra;
    const tokens =
      e === undefined
        ? null
        : formTokenSource(
            `${e.authorityUrl.replace(/\/+$/, '')}/${e.tenantId}/oauth2/v2.0/token`,
            async () => ({
              grant_type: 'client_credentials',
              client_id: e.clientId,
              client_secret: resolveSecret(e.clientSecret, env),
              scope: e.scope,
            }),
          );
    return createAzureTranslator(s, tokens);
  },
  bedrock: async (rc, { env }) => {
    const { createBedrockTranslator } = await import('./bedrock.js');
    const s = required(rc.upstream.bedrock, 'bedrock');
    return createBedrockTranslator(
      s,
      {
        accessKeyId: resolveSecret(s.accessKeyId, env),
        secretAccessKey: resolveSecret(s.secretAccessKey, env),
        ...(s.sessionToken === undefined ? {} : { sessionToken: resolveSecret(s.sessionToken, env) }),
      },
      rc.upstream.model,
    );
  },
  vertex: async (rc, { env }) => {
    const { createVertexTranslator, parseServiceAccount, serviceAccountTokens } = await import('./vertex.js');
    const s = required(rc.upstream.vertex, 'vertex');
    const key = parseServiceAccount(readKeyFile(s.serviceAccount, env));
    return createVertexTranslator(s, serviceAccountTokens(key), rc.upstream.model);
  },
});

/** The route's translator, with the deployment's quota tracking on every answer. Built once at boot. */
export async function createProvider(rc: RouteConfig, deps: ProviderDeps): Promise<ProviderTranslator> {
  const t = await PROVIDERS[rc.upstream.provider](rc, deps);
  return withQuota(t, rc.alias, rc.upstream.managed, deps.logger, deps.metrics);
}
