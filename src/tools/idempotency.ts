import { randomBytes } from 'node:crypto';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { hashOf } from './canonical.js';
import type { ToolResult } from './output/sanitise.js';
import type { ToolState } from './state.js';

interface Running {
  readonly state: 'running';
  readonly argsHash: string;
  readonly owner: string;
}
interface Done {
  readonly state: 'done';
  readonly argsHash: string;
  readonly result: ToolResult;
}
type Entry = Running | Done;

export type IdempotencyOutcome =
  | { readonly kind: 'replay'; readonly result: ToolResult }
  | {
      readonly kind: 'claimed';
      /** Stores the sanitised result for repeats within the window. */
      complete(result: ToolResult): Promise<void>;
      /** Frees the key (the call failed before or at the upstream): a retry may run. */
      release(): Promise<void>;
    };

export interface IdempotencyKeyInput {
  readonly principal: string;
  readonly tool: string;
  readonly argsHash: string;
  /** The client's own key (`_meta["io.gatehouse/idempotency-key"]`), or null to derive one. */
  readonly clientKey: string | null;
}

/** The key a call is stored under, as it appears on the audit event. */
export function idempotencyKeyOf(k: IdempotencyKeyInput): string {
  return k.clientKey !== null
    ? `c:${hashOf({ p: k.principal, t: k.tool, k: k.clientKey })}`
    : `d:${hashOf({ p: k.principal, t: k.tool, a: k.argsHash })}`;
}

/**
 * Idempotency of write tools across replicas: the first call claims the key atomically and runs;
 * a repeat within the window gets the stored result, a repeat while it runs gets a conflict, and a
 * client key reused with other arguments is refused. `runMs` bounds how long a claim can outlive a
 * replica that died mid-call.
 */
export function createIdempotency(state: ToolState) {
  const key = (k: string) => `idem:${k}`;
  const inspect = (raw: string | null, argsHash: string): IdempotencyOutcome | null => {
    if (raw === null) return null;
    const e = JSON.parse(raw) as Entry;
    if (e.argsHash !== argsHash) throw new GatehouseError('GH_ERR_TOOL_IDEMPOTENCY_MISMATCH');
    if (e.state === 'running') throw new GatehouseError('GH_ERR_TOOL_IDEMPOTENCY_IN_FLIGHT');
    return { kind: 'replay', result: e.result };
  };
  return {
    async begin(
      idemKey: string,
      argsHash: string,
      windowMs: number,
      runMs: number,
    ): Promise<IdempotencyOutcome> {
      const k = key(idemKey);
      const seen = inspect(await state.get(k), argsHash);
      if (seen !== null) return seen;
      const owner = randomBytes(9).toString('base64url');
      const running = JSON.stringify({ state: 'running', argsHash, owner } satisfies Running);
      if (!(await state.claim(k, running, runMs))) {
        // Another replica won between our read and our claim.
        const again = inspect(await state.get(k), argsHash);
        if (again !== null) return again;
        throw new GatehouseError('GH_ERR_TOOL_IDEMPOTENCY_IN_FLIGHT');
      }
      return {
        kind: 'claimed',
        complete: (result) =>
          state.set(k, JSON.stringify({ state: 'done', argsHash, result } satisfies Done), windowMs),
        release: async () => {
          await state.releaseIf(k, running);
        },
      };
    },
  };
}

export type Idempotency = ReturnType<typeof createIdempotency>;
