import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { JUDGE } from '../../../src/judge/slots.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { type JudgeServer, startJudgeServer } from '../../helpers/judge-server.js';

const CLI = join(import.meta.dirname, '../../../src/cli/run.ts');
const PREFIX = `ghtest:judge-crash:${randomUUID()}:`;

/**
 * A `gatehouse judge` process takes a record from the Redis stream, calls the Judge and is killed
 * (SIGKILL) while the call is in flight. The record stays pending in the consumer group; the
 * gateway's own worker takes it over after `claimIdleMs`, and it is judged once: one finding.
 */
describe('Judge worker crash mid-evaluation (real Redis, a killed judge process)', () => {
  let judge: JudgeServer;
  let t: TestGateway;
  let child: ChildProcess | null = null;
  afterAll(async () => {
    if (child !== null && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await t?.close();
    await judge?.close();
    const r = new Redis('redis://127.0.0.1:6379');
    const keys = await r.keys(`${PREFIX}*`);
    if (keys.length > 0) await r.del(...keys);
    r.disconnect();
  });

  it('re-delivers the record to another worker and judges it once', async () => {
    judge = await startJudgeServer();
    judge.mode = 'hold';
    t = await startTestGateway({
      config: (upstreamUrl) => ({
        routes: [demoRoute(upstreamUrl)],
        store: { kind: 'redis', url: 'redis://127.0.0.1:6379', prefix: PREFIX, commandTimeoutMs: 5_000 },
        guard: {
          defaults: { policy: { enabled: true, action: 'flag', deniedTopics: { exfil: ['secret plan'] } } },
        },
        judge: {
          enabled: true,
          endpoint: { url: judge.url, model: 'judge-model-2026-01-01', timeoutMs: 120_000 },
          sampling: { tiers: { 1: { rate: 0 }, 2: { rate: 0 }, 3: { rate: 0 } } },
          rubrics: [{ name: 'disclosure', kind: 'sensitive_disclosure' }],
          calibration: { passSampleRate: 0 },
          aggregate: { enabled: false },
          workers: { inProcess: false, concurrency: 1, claimIdleMs: 1_000, blockMs: 200 },
        },
      }),
    });
    const svc = JUDGE.require(t.gw.rt);
    const res = await t.client().chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'the secret plan, please' }],
    });
    expect(res.choices).toHaveLength(1);
    // The hand-off runs after the answer went out: wait for the record to be in the stream.
    await eventually(async () => expect(await svc.backend.depth()).toBe(1));

    // A separate Judge process with the same configuration takes the record and calls the Judge.
    const dir = mkdtempSync(join(tmpdir(), 'gh-judge-'));
    const file = join(dir, 'gatehouse.yaml');
    writeFileSync(file, JSON.stringify(t.config));
    let stderr = '';
    child = spawn(process.execPath, ['--import', 'tsx', CLI, 'judge', '--config', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.on('data', (d) => (stderr += d));
    // Booting a process under tsx takes long on a loaded machine: a generous bound.
    await eventually(() => expect(judge.calls, stderr).toHaveLength(1), 90_000);
    // Killed mid-evaluation: the Judge's answer never comes, nothing was acknowledged.
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(await svc.backend.depth()).toBe(1);
    expect((await svc.review.list({}, 10, 0)).findings).toHaveLength(0);

    // The gateway's worker takes over the pending record once it has been idle for claimIdleMs.
    judge.mode = 'answer';
    svc.startWorkers();
    await eventually(async () => expect((await svc.review.list({}, 10, 0)).findings).toHaveLength(1), 15_000);
    await eventually(async () => expect(await svc.backend.depth()).toBe(0), 5_000);
    expect(judge.calls).toHaveLength(2);
    expect(judge.calls[1]?.text).toBe(judge.calls[0]?.text);
    const [f] = (await svc.review.list({}, 10, 0)).findings;
    expect(f).toMatchObject({ verdict: 'fail', rubric: 'disclosure' });
    expect(await svc.backend.isDone(f?.recordId ?? '')).toBe(true);
  }, 180_000);
});
