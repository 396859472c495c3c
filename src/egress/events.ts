import type { DenyReason } from './policy.js';

/** One connection attempt through the egress proxy, allowed or denied (one audit event each). */
export interface EgressEvent {
  readonly id: string;
  readonly identity: string | null;
  /** `CONNECT` for tunnels, else the plain-HTTP method. */
  readonly method: string;
  readonly host: string;
  readonly port: number;
  /** The checked address connected to (null when refused before resolution). */
  readonly address: string | null;
  readonly sourceIp: string | null;
  readonly verdict: 'allow' | 'deny';
  readonly reason: DenyReason | null;
  readonly detail?: string;
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly durationMs: number;
}
