import { randomBytes } from 'node:crypto';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { hashOf } from '../canonical.js';
import type { ToolState } from '../state.js';

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'used';

/** What an approval is bound to: nothing about the call may change between request and use. */
export interface ApprovalSubject {
  readonly consumer: string;
  readonly agent: string | null;
  readonly session: string | null;
  /** The exposed name (`server.tool`). */
  readonly tool: string;
  /** Hash of the canonical arguments. */
  readonly argsHash: string;
  /** Hash of the tool definition the call was checked against. */
  readonly definitionHash: string;
}

export interface ApprovalRecord extends ApprovalSubject {
  readonly id: string;
  readonly status: ApprovalStatus;
  readonly binding: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** The arguments for the approver to read, secrets and personal data redacted, capped. */
  readonly argsPreview: string;
  readonly decidedBy?: string;
  readonly reason?: string;
}

export interface Approvals {
  /**
   * Lets the call run once when an approval bound to exactly this subject was granted (and spends
   * it); otherwise parks it: throws GH_ERR_TOOL_APPROVAL_PENDING with the approval id (the same id
   * while it is pending), or GH_ERR_TOOL_APPROVAL_DENIED. Returns the spent approval's id.
   */
  require(subject: ApprovalSubject, argsPreview: () => string): Promise<string>;
  pending(max: number): Promise<ApprovalRecord[]>;
  decide(
    id: string,
    decision: 'approve' | 'deny',
    operator: string,
    reason: string,
  ): Promise<{
    before: ApprovalRecord;
    after: ApprovalRecord;
  }>;
}

export class ApprovalPending extends GatehouseError {
  constructor(
    readonly approvalId: string,
    readonly approvalUrl: string | null,
  ) {
    // The headers carry the id to plain-HTTP callers (`POST /v1/tools/{name}`); MCP gets error data.
    super('GH_ERR_TOOL_APPROVAL_PENDING', {
      headers: {
        'x-gatehouse-approval-id': approvalId,
        ...(approvalUrl === null ? {} : { 'x-gatehouse-approval-url': approvalUrl }),
      },
    });
  }
}

const INDEX = 'appr:pending';
const recKey = (id: string) => `appr:rec:${id}`;
const bindKey = (binding: string) => `appr:bind:${binding}`;
const usedKey = (id: string) => `appr:used:${id}`;

export function createApprovals(
  state: ToolState,
  opts: { readonly ttlMs: number; readonly url: string | undefined; readonly now?: () => number },
): Approvals {
  const now = opts.now ?? Date.now;
  const read = async (id: string): Promise<ApprovalRecord | null> => {
    const raw = await state.get(recKey(id));
    if (raw === null) return null;
    const r = JSON.parse(raw) as ApprovalRecord;
    return r.expiresAt > now() ? r : null;
  };
  const write = (r: ApprovalRecord) =>
    state.set(recKey(r.id), JSON.stringify(r), Math.max(1, r.expiresAt - now()));
  const urlOf = (id: string) => (opts.url === undefined ? null : `${opts.url.replace(/\/$/, '')}/${id}`);

  const park = async (subject: ApprovalSubject, binding: string, preview: string): Promise<never> => {
    const id = `apr_${randomBytes(12).toString('base64url')}`;
    // One pending approval per exact call, across replicas: the bind key is claimed.
    if (!(await state.claim(bindKey(binding), id, opts.ttlMs))) {
      const other = await state.get(bindKey(binding));
      throw new ApprovalPending(other ?? id, urlOf(other ?? id));
    }
    const t = now();
    await write({
      ...subject,
      id,
      status: 'pending',
      binding,
      createdAt: t,
      expiresAt: t + opts.ttlMs,
      argsPreview: preview,
    });
    await state.addToIndex(INDEX, id);
    throw new ApprovalPending(id, urlOf(id));
  };

  return {
    async require(subject, argsPreview) {
      const binding = hashOf(subject);
      const id = await state.get(bindKey(binding));
      const rec = id === null ? null : await read(id);
      if (id === null || rec === null || rec.binding !== binding) {
        if (id !== null) await state.releaseIf(bindKey(binding), id);
        return park(subject, binding, argsPreview());
      }
      if (rec.status === 'pending') throw new ApprovalPending(rec.id, urlOf(rec.id));
      if (rec.status === 'denied') throw new GatehouseError('GH_ERR_TOOL_APPROVAL_DENIED');
      // Approved: single use. Whoever claims the use key runs the call; a replay asks anew.
      if (rec.status === 'approved' && (await state.claim(usedKey(rec.id), '1', opts.ttlMs * 2))) {
        await write({ ...rec, status: 'used' });
        await state.releaseIf(bindKey(binding), rec.id);
        return rec.id;
      }
      await state.releaseIf(bindKey(binding), rec.id);
      return park(subject, binding, argsPreview());
    },
    async pending(max) {
      const out: ApprovalRecord[] = [];
      for (const id of await state.members(INDEX, max)) {
        const r = await read(id);
        if (r === null || r.status !== 'pending') await state.removeFromIndex(INDEX, id);
        else out.push(r);
      }
      return out.sort((a, b) => a.createdAt - b.createdAt);
    },
    async decide(id, decision, operator, reason) {
      const before = await read(id);
      if (before === null || before.status !== 'pending')
        throw new GatehouseError('GH_ERR_TOOL_APPROVAL_NOT_FOUND');
      // Two approvers racing: only one decision is applied.
      if (!(await state.claim(`appr:decided:${id}`, operator, opts.ttlMs * 2)))
        throw new GatehouseError('GH_ERR_TOOL_APPROVAL_NOT_FOUND');
      const after: ApprovalRecord = {
        ...before,
        status: decision === 'approve' ? 'approved' : 'denied',
        decidedBy: operator,
        reason,
        // An approval is valid for one TTL from the decision.
        expiresAt: now() + opts.ttlMs,
      };
      await write(after);
      await state.set(bindKey(after.binding), id, opts.ttlMs);
      await state.removeFromIndex(INDEX, id);
      return { before, after };
    },
  };
}
