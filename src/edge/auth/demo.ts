import type { z } from 'zod';
import type { authSchema } from '../../config/schema/auth.js';
import { generateApiKey, hashApiKey } from '../../formats/api-key.js';

/**
 * A fresh API key and the `auth` section that accepts it, for the embedded demo and test gateways
 * started without an `auth` section: authentication stays on, the key is printed once at start.
 * Only the hash goes into the config.
 */
export function demoApiKey(consumer = 'demo'): {
  readonly key: string;
  readonly auth: z.input<typeof authSchema>;
} {
  const { key, id } = generateApiKey('ghk_');
  return {
    key,
    auth: {
      consumers: [
        {
          name: consumer,
          apiKeys: [{ id, hash: hashApiKey(key, undefined), description: 'generated at start' }],
        },
      ],
    },
  };
}
