import type { GatehouseConfig } from '../config/schema/index.js';
import type { OperatorAuditRecord } from '../pipeline/admin.js';
import type { Feature } from '../pipeline/feature.js';
import { defineService } from '../pipeline/slot.js';
import type { OverlayStore } from './overlay.js';

/** One window as the limiter reported it at the consumer's last admission on a route. */
export interface WindowUse {
  readonly limit: number;
  readonly remaining: number;
  readonly resetMs: number;
}

export interface UsageRecord {
  readonly route: string;
  readonly plan: string;
  /** requests, input tokens, output tokens, cost (micro-dollars), in that order. */
  readonly views: readonly WindowUse[];
  readonly at: number;
}

/**
 * What the composition root (src/boot/admin.ts) hands the control plane: the other features'
 * services it reads or drives, as plain functions, so the admin feature imports none of them.
 */
export interface AdminHost {
  readonly features: readonly Feature[];
  /** Lint problems (refusals) of a whole configuration, as `gatehouse lint` reports them. */
  lint(cfg: GatehouseConfig): readonly string[];
  /** Writes one operator audit event to the audit sinks. */
  audit(record: OperatorAuditRecord): void;
  /** Recent security, alert and operator events of this replica (newest last). */
  recentEvents(): readonly object[];
  sinks(): readonly object[];
  detectors(): readonly object[];
  usage(consumer: string): readonly UsageRecord[];
  /** Revokes a data-plane API key on every replica (the auth feature's revocation list). */
  revokeKey(id: string, ttlMs: number): Promise<void>;
}

/** The overlay's store copy, built by the admin feature's service (every replica, admin listener or not). */
export const ADMIN_OVERLAY = defineService<OverlayStore>('admin.overlay');
/** Set by the admin listener before it mounts routes. */
export const ADMIN_HOST = defineService<AdminHost>('admin.host');
