import type { ToolServerConfig } from '../../config/schema/tools.js';
import { resolveSecret } from '../../config/secrets.js';
import { cachedToken } from './oauth.js';
import type { CredentialSource } from './types.js';

type Creds = ToolServerConfig['credentials'];
type Builder<K extends Creds['kind']> = (c: Extract<Creds, { kind: K }>) => CredentialSource;

const bearer = (get: (s: AbortSignal) => Promise<string>): CredentialSource => ({
  headers: async (signal) => ({ authorization: `Bearer ${await get(signal)}` }),
});

/** One builder per credential kind (a registry, not a chain of ifs); secrets resolved once at boot. */
const BUILDERS: { readonly [K in Creds['kind']]: Builder<K> } = {
  none: () => ({ headers: async () => ({}) }),
  static: (c) => {
    const value = `${c.prefix}${resolveSecret(c.value)}`;
    const h = { [c.header.toLowerCase()]: value };
    return { headers: async () => h };
  },
  client_credentials: (c) => {
    const form: Record<string, string> = { grant_type: 'client_credentials' };
    if (c.scope !== undefined) form.scope = c.scope;
    if (c.audience !== undefined) form.audience = c.audience;
    return bearer(
      cachedToken({
        tokenUrl: c.tokenUrl,
        clientId: c.clientId,
        clientSecret: resolveSecret(c.clientSecret),
        form,
      }),
    );
  },
  // RFC 8693: the gateway trades its own token for one scoped to this upstream's audience.
  token_exchange: (c) => {
    const form: Record<string, string> = {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: resolveSecret(c.subjectToken),
      subject_token_type: c.subjectTokenType,
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      audience: c.audience,
    };
    if (c.scope !== undefined) form.scope = c.scope;
    return bearer(
      cachedToken({
        tokenUrl: c.tokenUrl,
        clientId: c.clientId,
        clientSecret: resolveSecret(c.clientSecret),
        form,
      }),
    );
  },
};

export function createCredentialSource(c: Creds): CredentialSource {
  return (BUILDERS[c.kind] as Builder<typeof c.kind>)(c as never);
}
