import { mkdirSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminFixture, startAdminFixture } from './helpers.js';

/**
 * The console in a real browser (Debian's chromium driven by playwright-core): OIDC login against
 * the local test issuer (authorization code + PKCE), the consumers page with live quota use, a
 * quota change through the form, and its audit entry; strict CSP with no violation. Screenshots go
 * to test-results/ (CI artifacts).
 */
const SHOTS = 'test-results/admin-console';
let f: AdminFixture;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  f = await startAdminFixture();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
  await f?.close();
});

describe('operator console', () => {
  it('logs in with OIDC, shows quota use, changes a quota and shows the audit entry', async () => {
    // Some traffic first, so the consumer has live quota use to show.
    const client = f.t.client({ apiKey: f.dataKey });
    await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] });

    f.idp.loginAs('olivia', ['operator']);
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${f.admin}/admin/`);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByText('olivia (operator)').waitFor({ timeout: 8_000 });

    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'gh_admin');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });

    const usage = page.locator('li[data-route="demo"]').first();
    await usage.waitFor({ timeout: 8_000 });
    expect(await usage.textContent()).toMatch(/requests 1\/90/);
    await page.screenshot({ path: `${SHOTS}/1-consumers.png`, fullPage: true });

    const form = page.locator('form[data-consumer="acme"]');
    await form.getByLabel('Requests per minute').fill('7');
    await form.getByLabel('Burst').fill('0');
    await form.getByLabel('Reason').fill('INC-77 tighten while investigating');
    await form.getByRole('button', { name: 'Set quota' }).click();
    await page.getByText('Quota of acme updated.').waitFor({ timeout: 8_000 });
    await page
      .locator('li[data-route="demo"]', { hasText: 'requests 1/7' })
      .first()
      .waitFor({ timeout: 8_000 });
    await page.screenshot({ path: `${SHOTS}/2-quota-changed.png`, fullPage: true });

    await page.getByRole('button', { name: 'Audit' }).click();
    const row = page.locator('tr', { hasText: 'quota.set' }).first();
    await row.waitFor({ timeout: 8_000 });
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('olivia');
    expect(text).toContain('consumer:acme');
    expect(text).toContain('INC-77 tighten while investigating');
    expect(text).toContain('applied');
    await page.screenshot({ path: `${SHOTS}/3-audit.png`, fullPage: true });

    // The API agrees with what the console showed.
    const api = await f.call('GET', '/admin/v1/consumers/acme', { token: await f.token(['viewer']) });
    expect(api.body.quotaOverride.requests).toEqual({ perMinute: 7, burst: 0, sustainMinutes: 5 });
    expect(violations).toEqual([]);
    await context.close();
  });

  it('refuses a console mutation without the CSRF token', async () => {
    f.idp.loginAs('mallory', ['operator']);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${f.admin}/admin/login`);
    await page.getByText('mallory (operator)').waitFor({ timeout: 8_000 });
    // Same origin, the session cookie is sent, but no x-csrf-token: refused.
    const status = await page.evaluate(async () => {
      const r = await fetch('/admin/v1/consumers/acme/quota', {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-gatehouse-reason': 'csrf test' },
        body: JSON.stringify({ limits: null }),
      });
      return { status: r.status, code: ((await r.json()) as { error: { code: string } }).error.code };
    });
    expect(status).toEqual({ status: 403, code: 'GH_ERR_ADMIN_CSRF' });
    const headers = (await page.goto(`${f.admin}/admin/`))?.headers() ?? {};
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    await context.close();
  });
});
