import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { ADMIN_ROLES } from '../pipeline/admin.js';
import type { Store } from '../store/types.js';
import { createCasDoc } from './cas.js';

/**
 * Two-person proposals: a change of a listed action kind is stored with its diff instead of being
 * applied; a different operator with the `approver` role approves it (then it runs once) or rejects
 * it. Pending proposals expire. One document under compare-and-set, so two approvers racing for
 * the same proposal cannot both apply it: the pending → applying transition is the claim.
 */
export const PROPOSAL_STATES = ['pending', 'applying', 'applied', 'rejected', 'failed', 'expired'] as const;
export type ProposalState = (typeof PROPOSAL_STATES)[number];

const proposalSchema = z.object({
  id: z.string(),
  action: z.string(),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  /** The route's declared path (the key of the route table). */
  route: z.string(),
  /** The concrete path that was called. */
  path: z.string(),
  params: z.record(z.string(), z.string()),
  query: z.string(),
  body: z.unknown(),
  reason: z.string(),
  proposer: z.object({ id: z.string(), via: z.string(), roles: z.array(z.enum(ADMIN_ROLES)) }),
  createdAt: z.number(),
  expiresAt: z.number(),
  change: z.object({ target: z.string(), before: z.unknown().optional(), after: z.unknown().optional() }),
  state: z.enum(PROPOSAL_STATES),
  decidedBy: z.string().optional(),
  decidedAt: z.number().optional(),
  decisionReason: z.string().optional(),
  error: z.string().optional(),
});
export type Proposal = z.infer<typeof proposalSchema>;

const docSchema = z.object({ version: z.number().int().min(0), items: z.array(proposalSchema) });
type Doc = z.infer<typeof docSchema>;

/** Kept: every pending proposal, plus the most recent closed ones up to this many in total. */
const MAX_PROPOSALS = 200;
const MAX_BYTES = 8 * 1024 * 1024;

export interface ProposalBook {
  list(now?: number): Promise<Proposal[]>;
  get(id: string, now?: number): Promise<Proposal>;
  create(p: Omit<Proposal, 'id' | 'state' | 'createdAt' | 'expiresAt'>, ttlSec: number): Promise<Proposal>;
  /** pending → applying for `approver`; refuses the proposer, an expired or closed proposal. */
  claim(id: string, approver: string, reason: string): Promise<Proposal>;
  finish(id: string, state: 'applied' | 'failed', error?: string): Promise<void>;
  reject(id: string, by: string, reason: string): Promise<Proposal>;
}

const view = (p: Proposal, now: number): Proposal =>
  p.state === 'pending' && now >= p.expiresAt ? { ...p, state: 'expired' } : p;

export function createProposalBook(store: Store, clock: () => number = Date.now): ProposalBook {
  const doc = createCasDoc<Doc>(
    store,
    'prop',
    (raw) => docSchema.parse(raw),
    { version: 0, items: [] },
    MAX_BYTES,
  );

  const find = (d: Doc, id: string): Proposal => {
    const p = d.items.find((x) => x.id === id);
    if (p === undefined) throw new GatehouseError('GH_ERR_ADMIN_NOT_FOUND', { message: 'No such proposal.' });
    return p;
  };
  const replace = (d: Doc, next: Proposal): Doc => ({
    ...d,
    items: d.items.map((x) => (x.id === next.id ? next : x)),
  });
  /** Expired pending proposals become `expired`; beyond the bound the oldest closed ones go. */
  const tidy = (items: Proposal[], now: number): Proposal[] => {
    const out = items.map((p) => view(p, now));
    let excess = out.length - MAX_PROPOSALS;
    return out.filter((p) => {
      if (excess > 0 && p.state !== 'pending' && p.state !== 'applying') {
        excess--;
        return false;
      }
      return true;
    });
  };

  return {
    async list(now = clock()) {
      const d = await doc.read().catch((err: unknown) => {
        throw new GatehouseError('GH_ERR_ADMIN_UNAVAILABLE', { cause: err });
      });
      return d.items.map((p) => view(p, now)).reverse();
    },
    async get(id, now = clock()) {
      const d = await doc.read().catch((err: unknown) => {
        throw new GatehouseError('GH_ERR_ADMIN_UNAVAILABLE', { cause: err });
      });
      return view(find(d, id), now);
    },
    async create(p, ttlSec) {
      const now = clock();
      const created: Proposal = {
        ...p,
        id: randomUUID(),
        state: 'pending',
        createdAt: now,
        expiresAt: now + ttlSec * 1000,
      };
      await doc.update((d) => ({ ...d, items: tidy([...d.items, created], now) }));
      return created;
    },
    async claim(id, approver, reason) {
      let claimed: Proposal | null = null;
      await doc.update((d) => {
        const now = clock();
        const p = view(find(d, id), now);
        if (p.state === 'expired') throw new GatehouseError('GH_ERR_ADMIN_PROPOSAL_EXPIRED');
        if (p.state !== 'pending') throw new GatehouseError('GH_ERR_ADMIN_PROPOSAL_CLOSED');
        if (p.proposer.id === approver) throw new GatehouseError('GH_ERR_ADMIN_SELF_APPROVAL');
        claimed = { ...p, state: 'applying', decidedBy: approver, decidedAt: now, decisionReason: reason };
        return replace(d, claimed);
      });
      if (claimed === null) throw new GatehouseError('GH_ERR_ADMIN_CONFLICT');
      return claimed;
    },
    async finish(id, state, error) {
      await doc.update((d) => {
        const p = find(d, id);
        return replace(d, { ...p, state, ...(error !== undefined && { error }) });
      });
    },
    async reject(id, by, reason) {
      let out: Proposal | null = null;
      await doc.update((d) => {
        const now = clock();
        const p = view(find(d, id), now);
        if (p.state === 'expired') throw new GatehouseError('GH_ERR_ADMIN_PROPOSAL_EXPIRED');
        if (p.state !== 'pending') throw new GatehouseError('GH_ERR_ADMIN_PROPOSAL_CLOSED');
        out = { ...p, state: 'rejected', decidedBy: by, decidedAt: now, decisionReason: reason };
        return replace(d, out);
      });
      if (out === null) throw new GatehouseError('GH_ERR_ADMIN_CONFLICT');
      return out;
    },
  };
}
