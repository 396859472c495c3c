import { describe, expect, it } from 'vitest';
import { probeHealth } from '../../../src/cli/healthcheck.js';
import { startTestGateway } from '../../helpers/gateway.js';
import { closedPort } from '../preflight/audit-support.js';

/** The container's health check (bin/healthcheck.js) against a real health listener. */
describe('healthcheck', () => {
  it('exits 0 while the health listener answers, 1 once it is gone', async () => {
    const tg = await startTestGateway();
    const url = `${tg.gw.healthUrl}/health`;
    expect(await probeHealth(url)).toBe(0);
    expect(await probeHealth(`${tg.gw.healthUrl}/ready`)).toBe(0);
    await tg.close();
    expect(await probeHealth(url)).toBe(1);
    expect(await probeHealth(`http://127.0.0.1:${await closedPort()}/health`)).toBe(1);
  });
});
