import type { AzureSettings } from '../../config/schema/provider-settings.js';
import type { ProviderAuditSink, ProviderTranslator } from '../../formats/provider.js';
import type { Json } from './openai-chat.js';
import { createOpenAICompatTranslator } from './openai-compat.js';
import { errorBody, failureOfStatus, providerError, retryAfterSeconds } from './provider-errors.js';
import type { TokenSource } from './token-source.js';

/*
 * Azure OpenAI: the OpenAI wire format under /openai/deployments/<deployment>/..., with the
 * api-version pinned in config, an `api-key` (upstream.apiKey) or an Entra ID token, and Azure's
 * content-filter annotations, which are put on the audit event.
 */

const PATHS = { chat: '/chat/completions', completions: '/completions', embeddings: '/embeddings' } as const;

/** Severity above `safe`, or `filtered`, for each category of one content_filter_results object. */
function filterFlags(where: string, results: unknown, out: string[]): void {
  if (results === null || typeof results !== 'object') return;
  for (const [category, r] of Object.entries(results as Json)) {
    if (r === null || typeof r !== 'object') continue;
    const v = r as Json;
    const severity = typeof v.severity === 'string' ? v.severity : undefined;
    if (v.filtered === true) out.push(`azure.content_filter.${where}.${category}:filtered`);
    else if (severity !== undefined && severity !== 'safe')
      out.push(`azure.content_filter.${where}.${category}:${severity}`);
    else if (v.detected === true) out.push(`azure.content_filter.${where}.${category}:detected`);
  }
}

export function contentFilterFlags(json: Json): string[] {
  const out: string[] = [];
  const prompt = Array.isArray(json.prompt_filter_results) ? (json.prompt_filter_results as Json[]) : [];
  for (const p of prompt) filterFlags('prompt', p.content_filter_results, out);
  const choices = Array.isArray(json.choices) ? (json.choices as Json[]) : [];
  for (const c of choices) filterFlags('completion', c.content_filter_results, out);
  return out;
}

export function createAzureTranslator(
  settings: AzureSettings,
  tokens: TokenSource | null,
): ProviderTranslator {
  const base = createOpenAICompatTranslator('azure-openai', true);
  const query = `?api-version=${encodeURIComponent(settings.apiVersion)}`;
  const prefix = `/openai/deployments/${encodeURIComponent(settings.deployment)}`;
  const record = (audit: ProviderAuditSink, json: Json | null): void => {
    if (json === null) return;
    for (const f of contentFilterFlags(json)) if (!audit.flags.includes(f)) audit.flags.push(f);
  };
  return {
    ...base,
    apiKeyHeader: 'api-key',
    request: (endpoint, body) => ({ path: `${prefix}${PATHS[endpoint]}${query}`, body }),
    ...(tokens === null
      ? {}
      : { authorize: async () => ({ authorization: `Bearer ${await tokens.token()}` }) }),
    observe: (_status, _h, json, audit) => record(audit, json),
    mapError: (status, h, text) => {
      const e = (errorBody(text).error ?? {}) as Json;
      // Azure refuses a prompt its filter blocks with 400 and code content_filter.
      if (e.code === 'content_filter') return providerError('content_filter');
      const failure = failureOfStatus(status);
      return providerError(failure, failure === 'rate_limited' ? retryAfterSeconds(h) : undefined);
    },
  };
}
