import { request } from 'node:http';

/**
 * The container's health check (Dockerfile HEALTHCHECK, Kubernetes exec probes): the final image has
 * no shell and no curl, so `node bin/healthcheck.js` asks the loopback health listener itself.
 * GATEHOUSE_HEALTH_URL overrides the default (for `/ready`, or another port).
 */
export const DEFAULT_HEALTH_URL = 'http://127.0.0.1:8081/health';

/** 0 when the listener answers 200 within the timeout, 1 otherwise (the exit code Docker and kubelet read). */
export function probeHealth(url: string, timeoutMs = 2_000): Promise<0 | 1> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? 0 : 1);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(1));
    req.end();
  });
}
