import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';

const EMAIL = 'jane.doe.audit@example.org';
const CARD = '4111 1111 1111 1111';
let t: TestGateway;
let file: string;

beforeAll(async () => {
  file = join(mkdtempSync(join(tmpdir(), 'gh-audit-text-')), 'audit.ndjson');
  t = await startTestGateway({
    config: (u) => ({
      routes: [demoRoute(u)],
      telemetry: { audit: { includeText: true, sinks: [{ kind: 'file', path: file }] } },
    }),
  });
});
afterAll(async () => {
  await t.close();
});

describe('audit text capture', () => {
  it('prompt and answer text reach the audit event only after the detectors redacted them', async () => {
    const r = await t.client().chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: `Reach me at ${EMAIL}, card ${CARD}` }],
    });
    const rid = r._request_id;
    let line = '';
    await eventually(() => {
      line =
        readFileSync(file, 'utf8')
          .split('\n')
          .find((l) => rid !== null && rid !== undefined && l.includes(rid)) ?? '';
      expect(line).not.toBe('');
    });
    const ev = JSON.parse(line) as { gen_ai: { input?: unknown; output?: unknown } };
    expect(ev.gen_ai.input).toBeDefined();
    expect(ev.gen_ai.output).toBeDefined();
    expect(line).not.toContain(EMAIL);
    expect(line).not.toContain(CARD);
    expect(line).not.toContain(CARD.replaceAll(' ', ''));
    expect(line).toMatch(/\[EMAIL(_\d+)?\]/);
  });
});
