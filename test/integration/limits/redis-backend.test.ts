import { afterAll, beforeAll } from 'vitest';
import { createRedisBackend } from '../../../src/edge/limits/redis-backend.js';
import { createRedisStore } from '../../../src/store/redis.js';
import { backendSuite } from '../../unit/limits/backend-suite.js';

const store = createRedisStore({
  url: 'redis://127.0.0.1:6379',
  prefix: `ghtest:limits-backend:${process.pid}:`,
});
beforeAll(async () => {
  const r = store.redis();
  if (r.status !== 'ready') await new Promise((ok) => r.once('ready', ok));
});
afterAll(async () => {
  const r = store.redis();
  const keys = await r.keys(`${store.prefix}*`);
  if (keys.length > 0) await r.del(...keys);
  await store.close();
});

backendSuite('redis', () => createRedisBackend(store.redis(), store.prefix));
