import type { Finding } from '../types.js';
import {
  type Agreement,
  type BackendLimits,
  type Delivery,
  emptyAgreement,
  type JudgeBackend,
  type Stratum,
} from './types.js';

interface Pending {
  data: string;
  worker: string;
  deliveredAt: number;
  deliveries: number;
}

/**
 * The in-process equivalent of the Redis backend, for the memory store (one process): the same
 * delivery semantics (a record stays pending until acknowledged and is reclaimable after an idle
 * time), so the workers do not know which one they run on.
 */
export function createMemoryBackend(limits: BackendLimits, now: () => number = Date.now): JudgeBackend {
  let seq = 0;
  const fresh: Array<{ id: string; data: string }> = [];
  const pending = new Map<string, Pending>();
  const waiters = new Set<() => void>();
  const spent = new Map<string, number>();
  const done = new Map<string, number>();
  const findings = new Map<string, Finding>();
  /** Finding ids, oldest first. */
  const order: string[] = [];
  const records = new Map<string, { data: string; expiresAt: number }>();
  const agree = new Map<string, Agreement>();

  const wake = (): void => {
    for (const w of waiters) w();
    waiters.clear();
  };

  const take = (worker: string, count: number): Delivery[] => {
    const out: Delivery[] = [];
    for (const e of fresh.splice(0, count)) {
      pending.set(e.id, { data: e.data, worker, deliveredAt: now(), deliveries: 1 });
      out.push({ entryId: e.id, data: e.data, deliveries: 1 });
    }
    return out;
  };

  return {
    async enqueue(data) {
      seq += 1;
      fresh.push({ id: `${now()}-${seq}`, data });
      // Like XADD MAXLEN: the oldest undelivered records go first.
      if (fresh.length + pending.size > limits.maxLength) fresh.shift();
      wake();
    },
    async read(worker, count, blockMs) {
      if (fresh.length === 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(finish, blockMs);
          function finish(): void {
            clearTimeout(t);
            waiters.delete(finish);
            resolve();
          }
          waiters.add(finish);
        });
      }
      return take(worker, count);
    },
    async reclaim(worker, minIdleMs, count) {
      const out: Delivery[] = [];
      const t = now();
      for (const [id, p] of pending) {
        if (out.length >= count) break;
        if (t - p.deliveredAt < minIdleMs) continue;
        p.worker = worker;
        p.deliveredAt = t;
        p.deliveries += 1;
        out.push({ entryId: id, data: p.data, deliveries: p.deliveries });
      }
      return out;
    },
    async ack(entryId) {
      pending.delete(entryId);
    },
    async depth() {
      return fresh.length + pending.size;
    },
    async spend(stratum: Stratum, microUsd, hour) {
      const key = `${stratum}:${hour}`;
      const n = (spent.get(key) ?? 0) + microUsd;
      spent.set(key, n);
      for (const k of spent.keys()) if (!k.endsWith(`:${hour}`)) spent.delete(k);
      return n;
    },
    async isDone(recordId) {
      const at = done.get(recordId);
      return at !== undefined && at > now();
    },
    async markDone(recordId, ttlMs) {
      done.set(recordId, now() + ttlMs);
      if (done.size > limits.maxLength) for (const [k, at] of done) if (at <= now()) done.delete(k);
    },
    async putFinding(f, record) {
      if (findings.has(f.id)) return false;
      findings.set(f.id, f);
      order.push(f.id);
      if (record !== null && f.recordId !== null)
        records.set(f.recordId, { data: record, expiresAt: now() + limits.recordTtlMs });
      while (order.length > limits.maxFindings) {
        const old = order.shift();
        if (old !== undefined) findings.delete(old);
      }
      return true;
    },
    async getFinding(id) {
      return findings.get(id) ?? null;
    },
    async getRecord(recordId) {
      const r = records.get(recordId);
      if (r === undefined) return null;
      if (r.expiresAt <= now()) {
        records.delete(recordId);
        return null;
      }
      return r.data;
    },
    async scanFindings(offset, scan) {
      const out: Finding[] = [];
      const end = Math.max(order.length - offset, 0);
      const start = Math.max(end - scan, 0);
      for (let i = end - 1; i >= start; i--) {
        const id = order[i];
        const f = id === undefined ? undefined : findings.get(id);
        if (f !== undefined) out.push(f);
      }
      return { findings: out, next: start > 0 ? offset + scan : null };
    },
    async replaceFinding(next, expected) {
      const cur = findings.get(next.id);
      if (cur === undefined || cur.version !== expected) return false;
      findings.set(next.id, next);
      return true;
    },
    async addAgreement(rubric, judgePositive, reviewerPositive) {
      const a = agree.get(rubric) ?? emptyAgreement();
      agree.set(rubric, {
        bothPositive: a.bothPositive + (judgePositive && reviewerPositive ? 1 : 0),
        judgeOnly: a.judgeOnly + (judgePositive && !reviewerPositive ? 1 : 0),
        reviewerOnly: a.reviewerOnly + (!judgePositive && reviewerPositive ? 1 : 0),
        bothNegative: a.bothNegative + (!judgePositive && !reviewerPositive ? 1 : 0),
      });
    },
    async agreements() {
      return Object.fromEntries(agree);
    },
    async close() {
      wake();
    },
  };
}
