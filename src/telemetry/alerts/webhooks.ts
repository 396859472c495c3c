import { hostname } from 'node:os';
import { Agent, request } from 'undici';
import type { Severity, WebhookConfig } from '../../config/schema/telemetry.js';
import type { AlertRecord } from '../audit/security.js';
import { owaspForAlert } from '../owasp.js';
import { clientTls } from '../tls.js';

/**
 * Alert delivery to webhooks: a generic JSON document, a Slack-compatible message (incoming
 * webhooks and Mattermost/Rocket.Chat read the same `text`/`attachments`), or PagerDuty Events v2
 * (`dedup_key` = the alert fingerprint, so PagerDuty also folds duplicates and resolves the
 * incident it opened). Each send retries with exponential backoff and never blocks a request.
 */
export type WebhookKind = WebhookConfig['kind'];

const RANK: Readonly<Record<Severity, number>> = { low: 0, medium: 1, high: 2 };
const PD_SEVERITY: Readonly<Record<Severity, string>> = { low: 'info', medium: 'warning', high: 'critical' };
const COLOUR: Readonly<Record<Severity, string>> = { low: '#439FE0', medium: '#FFA500', high: '#D00000' };
const SOURCE = hostname();

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
/** The alert's OWASP ids (docs/owasp.md), so a SOAR playbook can route on them. */
const owasp = (a: AlertRecord): { llm: string[]; asi: string[] } => {
  const r = owaspForAlert(a.signal);
  return { llm: [...(r?.llm ?? [])], asi: [...(r?.asi ?? [])] };
};

export const WEBHOOK_FORMATS: {
  readonly [K in WebhookKind]: (a: AlertRecord, routingKey: string | undefined) => Record<string, unknown>;
} = {
  generic: (a) => ({
    version: 1,
    source: 'gatehouse',
    signal: a.signal,
    fingerprint: a.fingerprint,
    status: a.status,
    severity: a.severity,
    summary: a.summary,
    value: a.value,
    threshold: a.threshold,
    baseline: a.baseline,
    starts_at: iso(a.startsAt),
    ends_at: iso(a.endsAt),
    labels: a.labels,
    owasp: owasp(a),
  }),
  slack: (a) => {
    const head =
      a.status === 'firing'
        ? `:rotating_light: [${a.severity.toUpperCase()}]`
        : ':white_check_mark: [RESOLVED]';
    return {
      text: `${head} Gatehouse ${a.signal}: ${a.summary}`,
      attachments: [
        {
          color: a.status === 'firing' ? COLOUR[a.severity] : '#2EB886',
          fields: [
            { title: 'signal', value: a.signal, short: true },
            { title: 'severity', value: a.severity, short: true },
            ...Object.entries(a.labels).map(([k, v]) => ({ title: k, value: v, short: true })),
          ],
          ts: Math.floor((a.endsAt ?? a.startsAt) / 1000),
        },
      ],
    };
  },
  pagerduty: (a, routingKey) => ({
    routing_key: routingKey,
    event_action: a.status === 'firing' ? 'trigger' : 'resolve',
    dedup_key: `gatehouse:${a.fingerprint}`,
    ...(a.status === 'firing' && {
      payload: {
        summary: `Gatehouse ${a.signal}: ${a.summary}`.slice(0, 1024),
        source: SOURCE,
        severity: PD_SEVERITY[a.severity],
        timestamp: iso(a.startsAt),
        component: 'gatehouse',
        group: a.signal,
        class: 'ai-gateway',
        custom_details: {
          value: a.value,
          threshold: a.threshold,
          baseline: a.baseline,
          labels: a.labels,
          owasp: owasp(a),
        },
      },
    }),
  }),
};

const PAGERDUTY_URL = 'https://events.pagerduty.com/v2/enqueue';

export interface WebhookNotifier {
  notify(a: AlertRecord): Promise<void>;
  close(): Promise<void>;
}

export function createWebhookNotifier(
  hooks: readonly WebhookConfig[],
  secret: (ref: string) => string,
  onError: (name: string, err: unknown) => void,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): WebhookNotifier {
  const compiled = hooks.map((h, i) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [k, v] of Object.entries(h.headers)) headers[k.toLowerCase()] = secret(v);
    return {
      name: h.name ?? `${h.kind}-${i}`,
      cfg: h,
      url: h.url ?? PAGERDUTY_URL,
      headers,
      routingKey: h.routingKey === undefined ? undefined : secret(h.routingKey),
      format: WEBHOOK_FORMATS[h.kind],
      agent: new Agent({
        connect: { ...clientTls(h.tls, secret), timeout: h.timeoutMs },
        headersTimeout: h.timeoutMs,
        bodyTimeout: h.timeoutMs,
      }),
    };
  });

  const deliver = async (w: (typeof compiled)[number], a: AlertRecord): Promise<void> => {
    const body = JSON.stringify(w.format(a, w.routingKey));
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      try {
        const res = await request(w.url, { method: 'POST', headers: w.headers, body, dispatcher: w.agent });
        await res.body.dump();
        status = res.statusCode;
      } catch {
        status = 0;
      }
      if (status >= 200 && status < 300) return;
      // A 4xx other than 429 will not get better with retries.
      const retryable = status === 0 || status === 429 || status >= 500;
      if (!retryable || attempt >= w.cfg.retries)
        throw new Error(status === 0 ? 'webhook unreachable' : `webhook answered ${status}`);
      await sleep(Math.min(30_000, 250 * 2 ** attempt));
    }
  };

  return {
    async notify(a) {
      const targets = compiled.filter((w) => RANK[a.severity] >= RANK[w.cfg.minSeverity]);
      await Promise.all(targets.map((w) => deliver(w, a).catch((err) => onError(w.name, err))));
    },
    async close() {
      await Promise.all(compiled.map((w) => w.agent.close()));
    },
  };
}
