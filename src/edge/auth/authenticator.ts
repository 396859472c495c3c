import type { IncomingHttpHeaders } from 'node:http';
import type { PeerCertificate } from 'node:tls';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { IssuerConfig } from '../../config/schema/auth.js';
import { GatehouseError, isGatehouseError } from '../../errors/gatehouse-error.js';
import type { AuthMethod, Identity } from '../../identity.js';
import { internalError } from '../../pipeline/require.js';
import type { ApiKeyMatch } from './api-keys.js';
import {
  type Consumer,
  type ConsumerRegistry,
  identityFor,
  type RequestFacts,
  unregisteredConsumer,
} from './consumers.js';
import type { Credential, CredentialKind } from './credentials.js';
import type { FailureTracker } from './failures.js';
import type { JwtVerifier } from './jwt.js';
import type { CertMapper } from './mtls.js';
import { type RevocationList, revocationId } from './revocation.js';
import type { AuthEvent } from './security-events.js';
import type { SessionTokens } from './session-tokens.js';

export interface AuthRequest extends RequestFacts {
  readonly headers: IncomingHttpHeaders;
  readonly peerCertificate: PeerCertificate | null;
  /** Security events for this request are appended here (audit log). */
  readonly events: AuthEvent[];
}

export interface AuthResult {
  readonly identity: Identity;
  /** The method the caller originally proved itself with (a session token's root credential). */
  readonly root: AuthMethod;
}

export interface AuthParts {
  readonly consumers: ConsumerRegistry;
  readonly extract: (headers: IncomingHttpHeaders, hasCert: boolean) => Credential;
  readonly verifyApiKey: (key: string) => ApiKeyMatch;
  readonly jwt: JwtVerifier;
  readonly sessions: SessionTokens | null;
  readonly certs: CertMapper;
  readonly revocations: RevocationList;
  readonly failures: FailureTracker;
  readonly logger: Logger;
  /** Successes by method; failures are counted from the `auth.failure` events by telemetry. */
  readonly succeeded: Counter<'method'>;
  readonly now?: () => number;
  /** Operators' runtime overrides: a consumer disabled there is refused like one disabled in YAML. */
  readonly disabledByOperator?: (consumer: string) => boolean;
}

/** Carries what an unknown consumer claimed to be, for the security event (never to the client). */
class UnknownConsumer extends GatehouseError {
  constructor(
    readonly method: AuthMethod,
    readonly claimed: string,
  ) {
    super('GH_ERR_AUTH_UNKNOWN_CONSUMER');
  }
}

const METHOD_OF: Readonly<Record<CredentialKind, AuthMethod>> = {
  api_key: 'api_key',
  jwt: 'jwt',
  session: 'session',
  mtls: 'mtls',
};

const truncate = (s: string): string => (s.length > 128 ? `${s.slice(0, 128)}…` : s);

/** Only failures a client caused count against its IP; our own outages (5xx) do not. */
const countsAsFailure = (err: GatehouseError): boolean => err.status === 401 || err.status === 403;

export function createAuthenticate(parts: AuthParts): (req: AuthRequest) => Promise<AuthResult> {
  const now = parts.now ?? Date.now;

  const registered = (name: string, method: AuthMethod): Consumer => {
    const c = parts.consumers.get(name);
    if (c === undefined) throw new UnknownConsumer(method, name);
    return c;
  };

  /** Agent and session revocations apply to every method that names them. */
  const checkRevoked = async (
    consumer: string,
    agent: string | null,
    session: string | null,
  ): Promise<void> => {
    const checks: Promise<boolean>[] = [];
    if (agent !== null) checks.push(parts.revocations.isRevoked('agent', revocationId(consumer, agent)));
    if (session !== null)
      checks.push(parts.revocations.isRevoked('session', revocationId(consumer, session)));
    if ((await Promise.all(checks)).some(Boolean)) throw new GatehouseError('GH_ERR_AUTH_REVOKED');
  };

  const handlers: Record<CredentialKind, (cred: Credential, req: AuthRequest) => Promise<AuthResult>> = {
    async api_key(cred, req) {
      const match = parts.verifyApiKey(cred.value);
      if (await parts.revocations.isRevoked('key', match.id)) throw new GatehouseError('GH_ERR_AUTH_REVOKED');
      return {
        identity: identityFor(match.consumer, { method: 'api_key', agent: null, session: null }, req),
        root: 'api_key',
      };
    },
    async jwt(cred, req) {
      const { issuer, claims } = await parts.jwt.verify(cred.value);
      if (claims.consumer === null) throw new GatehouseError('GH_ERR_AUTH_INVALID');
      const consumer = lookupJwtConsumer(claims.consumer, claims.tier, issuer);
      await checkRevoked(consumer.name, claims.agent, claims.session);
      return { identity: identityFor(consumer, { method: 'jwt', ...claims }, req), root: 'jwt' };
    },
    async session(cred, req) {
      if (parts.sessions === null) throw new GatehouseError('GH_ERR_AUTH_INVALID');
      const s = await parts.sessions.verify(cred.value);
      const consumer = registered(s.consumer, 'session');
      await checkRevoked(consumer.name, s.agent, s.session);
      const identity = identityFor(
        consumer,
        {
          method: 'session',
          agent: s.agent,
          session: s.session,
          tier: s.tier,
          aliases: s.aliases === '*' ? null : s.aliases,
          scopes: s.scopes,
        },
        req,
      );
      return { identity, root: s.root };
    },
    async mtls(_cred, req) {
      let consumer: Consumer;
      // The credential extractor offers mTLS only with a verified certificate.
      if (req.peerCertificate === null) throw internalError('mTLS credential without a peer certificate');
      try {
        consumer = parts.certs(req.peerCertificate);
      } catch (err) {
        if (isGatehouseError(err) && err.code === 'GH_ERR_AUTH_UNKNOWN_CONSUMER') {
          const cn = req.peerCertificate?.subject?.CN;
          throw new UnknownConsumer(
            'mtls',
            typeof cn === 'string' ? cn : (req.peerCertificate?.subjectaltname ?? ''),
          );
        }
        throw err;
      }
      return {
        identity: identityFor(consumer, { method: 'mtls', agent: null, session: null }, req),
        root: 'mtls',
      };
    },
  };

  const lookupJwtConsumer = (name: string, tier: 1 | 2 | 3 | null, issuer: IssuerConfig): Consumer => {
    const c = parts.consumers.get(name);
    if (c !== undefined) return c;
    if (issuer.requireRegisteredConsumer) throw new UnknownConsumer('jwt', name);
    return unregisteredConsumer(name, tier ?? issuer.defaultTier);
  };

  return async (req) => {
    const until = parts.failures.blockedUntil(req.sourceIp);
    if (until > 0) {
      req.events.push({ action: 'auth.failure', reason: 'GH_ERR_AUTH_IP_BLOCKED' });
      throw new GatehouseError('GH_ERR_AUTH_IP_BLOCKED', {
        headers: { 'retry-after': String(Math.max(1, Math.ceil((until - now()) / 1000))) },
      });
    }
    let kind: CredentialKind | null = null;
    try {
      const cred = parts.extract(req.headers, req.peerCertificate !== null);
      kind = cred.kind;
      const result = await handlers[cred.kind](cred, req);
      if (parts.disabledByOperator?.(result.identity.consumer) === true)
        throw new GatehouseError('GH_ERR_AUTH_CONSUMER_DISABLED');
      parts.succeeded.inc({ method: result.identity.method });
      return result;
    } catch (thrown) {
      const err = isGatehouseError(thrown)
        ? thrown
        : new GatehouseError('GH_ERR_AUTH_INVALID', { cause: thrown });
      if (err instanceof UnknownConsumer) {
        req.events.push({ action: 'consumer.unknown', reason: 'not_registered', method: err.method });
        parts.logger.warn(
          {
            event: 'unknown_consumer',
            method: err.method,
            claimed: truncate(err.claimed),
            sourceIp: req.sourceIp,
          },
          'request from unknown consumer',
        );
      }
      req.events.push({
        action: 'auth.failure',
        reason: err.code,
        ...(kind === null ? {} : { method: METHOD_OF[kind] }),
      });
      if (countsAsFailure(err)) {
        const f = await parts.failures.record(req.sourceIp);
        if (f.spike || f.blocked)
          parts.logger.warn(
            {
              event: f.blocked ? 'auth_ip_blocked' : 'auth_failure_spike',
              sourceIp: req.sourceIp,
              count: f.count,
            },
            f.blocked
              ? 'source IP blocked after repeated authentication failures'
              : 'authentication failure spike',
          );
      }
      throw err;
    }
  };
}
