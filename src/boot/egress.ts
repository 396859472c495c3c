import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { GatehouseConfig } from '../config/schema/index.js';
import { egressFeature } from '../egress/feature.js';
import { EGRESS } from '../egress/service.js';
import type { Runtime } from '../pipeline/runtime.js';
import { resilienceFeature } from '../resilience/feature.js';
import { telemetryFeature } from '../telemetry/feature.js';
import { buildRuntime, closeAll } from './build-runtime.js';

export interface EgressProcess {
  readonly rt: Runtime;
  readonly address: AddressInfo;
  close(): Promise<void>;
}

/**
 * `gatehouse egress`: the proxy alone, with the audit sinks and the shared store but no data plane,
 * for a deployment that runs the proxy as its own pod (the tool servers' only way out).
 */
export async function startEgress(
  config: Readonly<GatehouseConfig>,
  opts: { logger?: Logger } = {},
): Promise<EgressProcess> {
  const { rt } = await buildRuntime(config, {
    // Resilience for the kill switch (its `egress` scope, file flag included); no data plane.
    features: [egressFeature, resilienceFeature, telemetryFeature],
    stages: [],
    ...(opts.logger !== undefined && { logger: opts.logger }),
  });
  try {
    const address = await EGRESS.require(rt).start();
    return { rt, address, close: () => closeAll(rt.closers, rt.logger) };
  } catch (err) {
    await closeAll(rt.closers, rt.logger);
    throw err;
  }
}
