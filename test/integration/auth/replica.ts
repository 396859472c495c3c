/**
 * A second gateway replica for the revocation tests: its own process, its own Redis connections,
 * the same auth config (from GH_REPLICA_CONFIG). Answers `GET /` with the identity the
 * authenticator derives from the request's credential, or the error code.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import { authSchema } from '../../../src/config/schema/auth.js';
import { createAuthService } from '../../../src/edge/auth/service.js';
import { createRedisStore } from '../../../src/store/redis.js';

const { auth, redisUrl, prefix } = JSON.parse(process.env.GH_REPLICA_CONFIG ?? '{}') as {
  auth: unknown;
  redisUrl: string;
  prefix: string;
};
const store = createRedisStore({ url: redisUrl, prefix });
await new Promise<void>((r) => store.redis().once('ready', () => r()));
const svc = await createAuthService(authSchema.parse(auth), {
  store,
  logger: pino({ level: 'silent' }),
  metrics: new Registry(),
});
const server = createServer((req, res) => {
  svc
    .authenticate({
      headers: req.headers,
      peerCertificate: null,
      sourceIp: '127.0.0.2',
      userAgent: 'replica',
      events: [],
    })
    .then(
      (r) => res.writeHead(200).end(JSON.stringify(r.identity)),
      (err: { code?: string; status?: number }) =>
        res.writeHead(err.status ?? 500).end(JSON.stringify({ code: err.code })),
    );
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void svc
    .close()
    .then(() => store.close())
    .then(() => process.exit(0));
});
