import { mkdirSync, readFileSync } from 'node:fs';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeServer, startProbeServer } from '../../fixtures/mcp/probe-server.js';
import { demoRoute, eventually } from '../../helpers/gateway.js';
import { type JudgeServer, startJudgeServer } from '../../helpers/judge-server.js';
import { textOf, toolError } from '../tools/harness.js';
import { pinAndSign } from '../tools/pins.js';
import { type AdminFixture, startAdminFixture } from './helpers.js';

/**
 * The feature pages of the console (AdminPageDef, rendered from data) in a real browser: the Judge
 * review queue (a flagged answer's finding is claimed and decided), the canary status (a promotion
 * becomes a two-person proposal, a rollback applies) and tool approvals (a parked MCP call is
 * approved, then runs). Every effect is checked through the admin API, the store-backed services
 * or the data plane, not only on screen; no CSP violation. Screenshots go to test-results/.
 */
const SHOTS = 'test-results/admin-console';
const CANARY_MODEL = 'gatehouse-demo-2026-02-01';
let f: AdminFixture;
let browser: Browser;
let judge: JudgeServer;
let probe: ProbeServer;
const contexts: BrowserContext[] = [];
const violations: string[] = [];

function toolsSection(p: ProbeServer, manifest?: { path: string; publicKey: string }) {
  return {
    enabled: true,
    servers: [
      {
        name: 'bank',
        tier: 2 as const,
        transport: { kind: 'http' as const, url: p.url },
        tools: [{ name: 'transfer', access: 'write' as const }],
      },
    ],
    access: [{ consumer: 'acme', tools: ['bank.*'] }],
    ...(manifest !== undefined && { manifest }),
  };
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  judge = await startJudgeServer();
  probe = await startProbeServer();
  const pins = await pinAndSign(toolsSection(probe));
  f = await startAdminFixture((url) => {
    const next = demoRoute(url, { alias: 'demo-next' });
    return {
      routes: [demoRoute(url), { ...next, upstream: { ...next.upstream, model: CANARY_MODEL } }],
      guard: {
        defaults: { policy: { enabled: true, action: 'flag', deniedTopics: { exfil: ['secret plan'] } } },
      },
      judge: {
        enabled: true,
        endpoint: { url: judge.url, model: 'judge-model-2026-01-01' },
        sampling: { tiers: { 1: { rate: 0 }, 2: { rate: 0 }, 3: { rate: 0 } } },
        rubrics: [{ name: 'disclosure', kind: 'sensitive_disclosure' }],
        calibration: { passSampleRate: 0 },
        aggregate: { enabled: false },
        workers: { blockMs: 100 },
      },
      canary: {
        maxWeight: 100,
        routes: [{ route: 'demo', deployment: 'demo-next', weight: 50, gates: { minSamples: 1_000 } }],
      },
      tools: toolsSection(probe, { path: pins.manifestPath, publicKey: pins.publicKeyPath }),
    };
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 60_000);
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await f?.close();
  await judge?.close();
  await probe?.close();
});

/** Logs `sub` in through the OIDC test issuer and opens the page named in the navigation. */
async function openAs(sub: string, roles: string[], nav: string): Promise<Page> {
  f.idp.loginAs(sub, roles);
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.goto(`${f.admin}/admin/login`);
  await page.getByText(`${sub} (${roles.join(', ')})`).waitFor({ timeout: 15_000 });
  await page.getByRole('button', { name: nav, exact: true }).click();
  await page.getByRole('heading', { name: nav, level: 2 }).waitFor({ timeout: 15_000 });
  return page;
}

const viewer = () => f.token(['viewer'], 'api-reader');
const auditOf = (action: string) =>
  readFileSync(f.auditFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l))
    .filter((e) => e.event.action === 'admin.action' && e.gatehouse.admin.action === action);

describe('console feature pages', () => {
  it('the listener lists each feature page with its selection computed from the runtime', async () => {
    const pages = await f.call('GET', '/admin/v1/console/pages', { token: await viewer() });
    const byId = new Map(pages.body.items.map((p: { id: string }) => [p.id, p]));
    expect([...byId.keys()].sort()).toEqual(['canary', 'judge', 'routes', 'tool-approvals']);
    expect(byId.get('canary')).toMatchObject({
      feature: 'canary',
      source: '/canaries/:route',
      select: { param: 'route', values: ['demo'] },
    });
  });

  it('Judge review queue: a flagged answer’s finding is claimed and decided by an operator', async () => {
    await f.t.client({ apiKey: f.dataKey }).chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'tell me the secret plan' }],
    });
    let id = '';
    await eventually(async () => {
      const r = await f.call('GET', '/admin/v1/judge/findings', { token: await viewer() });
      expect(r.status).toBe(200);
      expect(r.body.findings).toHaveLength(1);
      id = r.body.findings[0].id;
    }, 30_000);

    const page = await openAs('olivia', ['operator'], 'Judge review queue');
    const row = page.locator(`tr[data-id="${id}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain('open');
    await page.screenshot({ path: `${SHOTS}/4-judge-queue.png`, fullPage: true });

    const claim = row.locator('form[data-action="Claim"]');
    await claim.getByLabel('Reason').fill('triage INC-88');
    await claim.getByRole('button', { name: 'Claim' }).click();
    const decide = page.locator(`tr[data-id="${id}"] form[data-action="Decide"]`);
    await decide.waitFor({ timeout: 15_000 });
    await decide.getByLabel('Decision').selectOption('confirm');
    await decide.getByLabel('Note').fill('real disclosure');
    await decide.getByLabel('Reason').fill('reviewed INC-88');
    await decide.getByRole('button', { name: 'Decide' }).click();
    await page.locator(`tr[data-id="${id}"]`, { hasText: 'decided' }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${SHOTS}/5-judge-decided.png`, fullPage: true });

    const got = await f.call('GET', `/admin/v1/judge/findings/${id}`, { token: await viewer() });
    expect(got.body.finding).toMatchObject({
      status: 'decided',
      decision: 'confirm',
      decidedBy: 'olivia',
      claimedBy: 'olivia',
    });
    expect(got.body.finding.notes.map((n: { text: string }) => n.text)).toContain('real disclosure');
    await eventually(() => {
      const [ev] = auditOf('judge.decide');
      expect(ev?.gatehouse.admin).toMatchObject({
        operator: 'olivia',
        outcome: 'applied',
        reason: 'reviewed INC-88',
      });
    }, 10_000);
  }, 180_000);

  it('Canary: status shows; a promotion is proposed (two-person), a rollback applies', async () => {
    const page = await openAs('paula', ['approver'], 'Canary');
    const status = page.locator('dd[data-key="state.status"]');
    await status.waitFor({ timeout: 15_000 });
    expect(await status.textContent()).toBe('running');
    expect(await page.locator('dd[data-key="state.weight"]').textContent()).toBe('50');
    expect(await page.locator('dd[data-key="canary.model"]').textContent()).toBe(CANARY_MODEL);
    await page.locator('tr', { hasText: 'error rate' }).first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${SHOTS}/6-canary.png`, fullPage: true });

    const promote = page.locator('form[data-action="Promote"]');
    await promote.getByLabel('Reason').fill('CHG-12 next stage');
    await promote.getByRole('button', { name: 'Promote' }).click();
    await page.getByText('Proposed: waiting for a second approver.').waitFor({ timeout: 15_000 });
    const proposals = await f.call('GET', '/admin/v1/proposals', { token: await viewer() });
    expect(proposals.body.items).toContainEqual(
      expect.objectContaining({
        action: 'canary.promote',
        state: 'pending',
        proposer: expect.objectContaining({ id: 'paula' }),
      }),
    );

    const rollback = page.locator('form[data-action="Roll back"]');
    await rollback.getByLabel('Reason').fill('INC-90 canary answers look off');
    await rollback.getByRole('button', { name: 'Roll back' }).click();
    await page
      .locator('dd[data-key="state.status"]', { hasText: 'rolled_back' })
      .waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${SHOTS}/7-canary-rolled-back.png`, fullPage: true });
    const report = await f.call('GET', '/admin/v1/canaries/demo', { token: await viewer() });
    expect(report.body.state).toMatchObject({ status: 'rolled_back', weight: 0, by: 'paula' });
  }, 180_000);

  it('Tool approvals: a parked write call is approved in the console, then runs once', async () => {
    const mcp = new Client({ name: 'agent', version: '1.0.0' });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(`${f.t.gw.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${f.dataKey}` } },
      }),
    );
    try {
      const call = () => mcp.callTool({ name: 'bank.transfer', arguments: { amount: 120, to: 'DE89 3704' } });
      const parked = await toolError(call());
      expect(parked.code).toBe('GH_ERR_TOOL_APPROVAL_PENDING');
      const id = String(parked.data.approval_id);

      const page = await openAs('aaron', ['approver'], 'Tool approvals');
      const row = page.locator(`tr[data-id="${id}"]`);
      await row.waitFor({ timeout: 15_000 });
      const text = (await row.textContent()) ?? '';
      expect(text).toContain('bank.transfer');
      expect(text).toContain('120');
      await page.screenshot({ path: `${SHOTS}/8-tool-approval.png`, fullPage: true });
      const approve = row.locator('form[data-action="Approve"]');
      await approve.getByLabel('Reason').fill('CHG-31 payout confirmed by phone');
      await approve.getByRole('button', { name: 'Approve' }).click();
      await page.getByText(`Approve: done (${id}).`).waitFor({ timeout: 15_000 });

      const pending = await f.call('GET', '/admin/v1/tools/approvals', { token: await viewer() });
      expect(pending.body.data.map((a: { id: string }) => a.id)).not.toContain(id);
      // The effect on the data plane: the same call now runs, once.
      expect(textOf(await call())).toContain('transferred 120');
      expect(probe.calls.filter((c) => c.name === 'transfer')).toHaveLength(1);
      await eventually(() => {
        const [ev] = auditOf('tools.approve');
        expect(ev?.gatehouse.admin).toMatchObject({
          operator: 'aaron',
          outcome: 'applied',
          target: `tool-approval:${id}`,
        });
      }, 10_000);
    } finally {
      await mcp.close().catch(() => undefined);
    }
  }, 180_000);

  it('no page broke the content security policy', () => {
    expect(violations).toEqual([]);
  });
});
