import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { AdminRouteDef } from '../../pipeline/admin.js';
import { defineService } from '../../pipeline/slot.js';
import type { ProposalRunner } from '../app.js';
import type { ProposalBook } from '../proposals.js';

/** Set by the admin listener: the proposal book and the runner that applies an approved one. */
export const ADMIN_PROPOSALS = defineService<{ readonly book: ProposalBook; readonly run: ProposalRunner }>(
  'admin.proposals',
);

export const proposalRoutes: readonly AdminRouteDef[] = [
  {
    method: 'GET',
    path: '/proposals',
    role: 'viewer',
    summary:
      'Two-person proposals, newest first, with their diff and state (pending ones past their TTL show expired)',
    create: (rt) => async (req) => {
      const items = await ADMIN_PROPOSALS.require(rt).book.list();
      const state = req.query.get('state');
      return { body: { items: state === null ? items : items.filter((p) => p.state === state) } };
    },
  },
  {
    method: 'GET',
    path: '/proposals/:id',
    role: 'viewer',
    summary: 'One proposal with its diff',
    create: (rt) => async (req) => ({
      body: await ADMIN_PROPOSALS.require(rt).book.get(req.params.id ?? ''),
    }),
  },
  {
    method: 'POST',
    path: '/proposals/:id/approve',
    role: 'approver',
    action: 'proposal.approve',
    summary: 'Approve and apply a pending proposal (not its proposer’s; once; before it expires)',
    create: (rt) => async (req) => {
      const { book, run } = ADMIN_PROPOSALS.require(rt);
      // The claim (pending → applying) is a compare-and-set: of two approvers racing, one applies.
      const p = await book.claim(req.params.id ?? '', req.operator.id, req.reason);
      let result: Awaited<ReturnType<ProposalRunner>>;
      try {
        result = await run(p, req.operator, req.reason);
      } catch (err) {
        const code = err instanceof GatehouseError ? err.code : 'GH_ERR_INTERNAL';
        await book.finish(p.id, 'failed', code);
        throw err;
      }
      await book.finish(p.id, 'applied');
      const applied = { ...p, state: 'applied' as const };
      return {
        body: { proposal: applied, result: result.body },
        change: result.change ?? p.change,
      };
    },
  },
  {
    method: 'POST',
    path: '/proposals/:id/reject',
    role: 'approver',
    action: 'proposal.reject',
    summary: 'Reject a pending proposal',
    create: (rt) => async (req) => {
      const p = await ADMIN_PROPOSALS.require(rt).book.reject(
        req.params.id ?? '',
        req.operator.id,
        req.reason,
      );
      return { body: { proposal: p }, change: { target: p.change.target, before: p.change.after } };
    },
  },
];
