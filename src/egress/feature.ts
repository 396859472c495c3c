import { egressSchema } from '../config/schema/egress.js';
import type { Feature } from '../pipeline/feature.js';
import { egressLint } from './lint.js';
import { createEgressService, EGRESS } from './service.js';

/**
 * The egress proxy (seed: "Tool Server Hardening", allowlisting at the network layer): a forward
 * proxy with CONNECT that tool servers, agents and model servers are confined to. Its own listener;
 * bound inside `gatehouse start` when `egress.enabled`, or alone by `gatehouse egress`.
 */
export const egressFeature: Feature = {
  name: 'egress',
  config: { key: 'egress', schema: egressSchema },
  lint: egressLint,
  service: async (rt) => {
    const svc = createEgressService(rt);
    EGRESS.set(rt, svc);
    if (rt.config.egress.enabled) await svc.start();
  },
  stages: [],
};
