/**
 * What the gateway presents to one upstream tool server, resolved per call: the agent's own token
 * never reaches an upstream (the endpoint drops every inbound header), only these.
 */
export interface CredentialSource {
  headers(signal: AbortSignal): Promise<Record<string, string>>;
}
