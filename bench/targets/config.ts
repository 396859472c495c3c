import { parseConfig } from '../../src/config/load.js';
import type { GatehouseConfig, GatehouseConfigInput } from '../../src/config/schema/index.js';

/**
 * The benchmark gateways' shared config: plain HTTP and side listeners on ephemeral loopback ports,
 * one `bench` route to the mock upstream. Each target adds only the sections it measures.
 */
export function benchGatewayConfig(
  upstream: string,
  extra: Omit<GatehouseConfigInput, 'routes'> = {},
): Readonly<GatehouseConfig> {
  return parseConfig({
    server: { host: '127.0.0.1', port: 0, allowPlaintext: true },
    health: { port: 0 },
    metrics: { port: 0 },
    routes: [
      {
        alias: 'bench',
        endpoints: ['chat', 'completions'],
        upstream: { provider: 'vllm', url: `${upstream}/v1`, model: 'mock-model-2026-01-01' },
      },
    ],
    ...extra,
  });
}
