import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/gateway.js';
import { hecEnvelopes, makeEvent, type Receiver, service, startReceiver, tmp } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const fast = { flushIntervalMs: 20, backoffInitialMs: 20, backoffMaxMs: 100, batchSize: 25 };

describe('HTTP batch sinks against a real local receiver', () => {
  it('Splunk HEC: batches envelopes with the token, sourcetype and the event time', async () => {
    const rx = await startReceiver();
    cleanups.push(() => rx.close());
    const { svc } = await service({
      audit: {
        sinks: [{ kind: 'splunk_hec', url: rx.url, token: '${GH_TEST_TOKEN}', index: 'ai', ...fast }],
      },
      spool: { dir: tmp('gh-hec-') },
    });
    cleanups.push(() => svc.close());
    const sent = Array.from({ length: 60 }, (_, i) => makeEvent(svc, i));
    for (const e of sent) svc.emit(e);
    expect(await svc.drain(5_000)).toBe(true);
    expect(rx.bodies.length).toBeGreaterThanOrEqual(3);
    expect(rx.bodies.every((b) => b.headers.authorization === 'Splunk test-token-value')).toBe(true);
    const envs = rx.bodies.flatMap((b) => hecEnvelopes(b.body));
    expect(envs.map((e) => e.event.event.id)).toEqual(sent.map((e) => e.event.id));
    expect(envs[0]).toMatchObject({ sourcetype: 'gatehouse:audit', source: 'gatehouse', index: 'ai' });
    expect(envs[0]!.time).toBeCloseTo(Date.parse(sent[0]!['@timestamp']) / 1000, 3);
  });

  it('Elasticsearch bulk: create ops keyed by event id; retried items land once, refused items are dead-lettered', async () => {
    const rx = await startReceiver();
    cleanups.push(() => rx.close());
    const indexed = new Map<string, number>();
    let first = true;
    rx.answer = (body) => {
      const lines = body.split('\n').filter((l) => l !== '');
      const items: Array<{ create: { status: number } }> = [];
      for (let i = 0; i < lines.length; i += 2) {
        const op = JSON.parse(lines[i]!) as { create: { _id: string; _index: string } };
        const doc = JSON.parse(lines[i + 1]!) as { gatehouse: { config?: { version?: string } } };
        const id = op.create._id;
        let status = indexed.has(id) ? 409 : 201;
        if (doc.gatehouse.config?.version === '3') status = 400;
        else if (first && i === 2) status = 429;
        if (status === 201) indexed.set(id, (indexed.get(id) ?? 0) + 1);
        items.push({ create: { status } });
      }
      first = false;
      return {
        status: 200,
        body: JSON.stringify({ errors: items.some((x) => x.create.status >= 300), items }),
      };
    };
    const dir = tmp('gh-es-');
    const { svc } = await service({
      audit: { sinks: [{ kind: 'elasticsearch', url: rx.url, apiKey: '${GH_TEST_TOKEN}', ...fast }] },
      spool: { dir },
    });
    cleanups.push(() => svc.close());
    const sent = Array.from({ length: 10 }, (_, i) => makeEvent(svc, i));
    for (const e of sent) svc.emit(e);
    expect(await svc.drain(5_000)).toBe(true);
    expect(rx.bodies[0]!.headers.authorization).toBe('ApiKey test-token-value');
    expect(rx.bodies[0]!.headers['content-type']).toBe('application/x-ndjson');
    expect(rx.bodies[0]!.body.split('\n')[0]).toContain('"_index":"logs-gatehouse.audit-default"');
    expect([...indexed.keys()].sort()).toEqual(
      sent
        .filter((_, i) => i !== 3)
        .map((e) => e.event.id)
        .sort(),
    );
    expect([...indexed.values()].every((n) => n === 1)).toBe(true);
    const dead = readFileSync(join(dir, 'elasticsearch', 'rejected.ndjson'), 'utf8')
      .trim()
      .split('\n');
    expect(dead.map((l) => JSON.parse(l).event.id)).toEqual([sent[3]!.event.id]);
    expect(svc.channels[0]!.stats()).toMatchObject({ rejected: 1, delivered: 9, depth: 0 });
  });

  it.each(['always', 'onFailure'] as const)(
    'an outage loses nothing (spool mode %s): events spool, retries back off, everything arrives once the receiver returns',
    async (mode) => {
      const rx = await startReceiver();
      cleanups.push(() => rx.close());
      let down = true;
      rx.answer = () => (down ? { status: 503 } : { status: 200, body: '{"text":"Success","code":0}' });
      const { svc } = await service({
        audit: { sinks: [{ kind: 'splunk_hec', url: rx.url, token: '${GH_TEST_TOKEN}', ...fast }] },
        spool: { dir: tmp('gh-outage-'), mode },
      });
      cleanups.push(() => svc.close());
      const sent = Array.from({ length: 200 }, (_, i) => makeEvent(svc, i));
      for (const e of sent.slice(0, 100)) svc.emit(e);
      await eventually(() => expect(svc.channels[0]!.stats().failures).toBeGreaterThan(1));
      expect(svc.channels[0]!.stats()).toMatchObject({ up: false, depth: 100 });
      for (const e of sent.slice(100)) svc.emit(e);
      down = false;
      expect(await svc.drain(10_000)).toBe(true);
      const ids = rx.bodies.flatMap((b) => hecEnvelopes(b.body)).map((e) => e.event.event.id);
      expect(ids).toEqual(sent.map((e) => e.event.id));
      expect(svc.channels[0]!.stats()).toMatchObject({ up: true, dropped: 0 });
    },
  );

  it.each(['always', 'onFailure'] as const)(
    'a process restart loses nothing (spool mode %s): the spool of a closed service is delivered by the next one',
    async (mode) => {
      const dir = tmp('gh-restart-');
      // The first "process" has a sink that cannot be reached at all.
      const dead: Receiver = await startReceiver();
      const deadUrl = dead.url;
      await dead.close();
      const first = await service({
        audit: {
          sinks: [{ kind: 'splunk_hec', name: 'siem', url: deadUrl, token: '${GH_TEST_TOKEN}', ...fast }],
        },
        // In onFailure mode the events are still in memory here: the clean stop must spill them.
        spool: { dir, mode },
      });
      const sent = Array.from({ length: 150 }, (_, i) => makeEvent(first.svc, i));
      for (const e of sent) first.svc.emit(e);
      await first.svc.close();

      const rx = await startReceiver();
      cleanups.push(() => rx.close());
      const second = await service({
        audit: {
          sinks: [{ kind: 'splunk_hec', name: 'siem', url: rx.url, token: '${GH_TEST_TOKEN}', ...fast }],
        },
        spool: { dir },
      });
      cleanups.push(() => second.svc.close());
      expect(second.svc.channels[0]!.stats().depth).toBe(150);
      expect(await second.svc.drain(10_000)).toBe(true);
      const ids = rx.bodies.flatMap((b) => hecEnvelopes(b.body)).map((e) => e.event.event.id);
      expect(ids).toEqual(sent.map((e) => e.event.id));
    },
  );

  it('a full spool drops, counts the drops and reports it', async () => {
    const dead = await startReceiver();
    const url = dead.url;
    await dead.close();
    const { svc } = await service({
      audit: { sinks: [{ kind: 'splunk_hec', url, token: '${GH_TEST_TOKEN}', ...fast }] },
      spool: { dir: tmp('gh-full-'), maxBytes: 4_096 },
    });
    cleanups.push(() => svc.close());
    for (let i = 0; i < 40; i++) svc.emit(makeEvent(svc, i));
    // The sink cannot deliver: drain gives up at its timeout, with the worker's stats refreshed.
    expect(await svc.drain(50)).toBe(false);
    const s = svc.channels[0]!.stats();
    expect(s.full).toBe(true);
    expect(s.dropped).toBeGreaterThan(0);
    expect(s.depth + s.dropped).toBe(40);
  });
});
