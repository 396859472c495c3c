import { proxySchema } from '../config/schema/proxy.js';
import type { Feature } from '../pipeline/feature.js';
import { correlateStage } from './correlate.js';

/**
 * Request ids and W3C trace context, first of every request; and who the client is behind trusted
 * proxies (`proxy`: X-Forwarded-For from a trusted hop only, src/formats/client-address.ts).
 */
export const correlationFeature: Feature = {
  name: 'correlation',
  config: { key: 'proxy', schema: proxySchema },
  stages: [correlateStage],
};
