import type { Logger } from 'pino';
import type { ToolServerConfig } from '../../config/schema/tools.js';
import type { CredentialSource } from '../credentials/types.js';
import { createMcpUpstream, type UpstreamServer } from './connection.js';
import { createEgressRoute } from './egress.js';
import { createRestUpstream } from './rest.js';

type Kind = ToolServerConfig['transport']['kind'];
type Builder = (cfg: ToolServerConfig, creds: CredentialSource, log: Logger) => UpstreamServer;

/** One builder per transport kind (a registry, not a chain of ifs). */
const BUILDERS: { readonly [K in Kind]: Builder } = {
  http: (cfg, creds, log) =>
    createMcpUpstream(cfg, creds, log, cfg.egress === undefined ? null : createEgressRoute(cfg)),
  stdio: (cfg, creds, log) => createMcpUpstream(cfg, creds, log, null),
  rest: (cfg, creds, log) => createRestUpstream(cfg, creds, createEgressRoute(cfg), log),
};

export function createUpstream(cfg: ToolServerConfig, creds: CredentialSource, log: Logger): UpstreamServer {
  return BUILDERS[cfg.transport.kind](cfg, creds, log);
}

export type { UpstreamServer, UpstreamTool } from './connection.js';
