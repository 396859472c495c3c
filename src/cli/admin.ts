import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { flagString, type ParsedArgs, parseArgs } from './args.js';

/**
 * `gatehouse admin ...`: the control plane's API for scripts and incident response. It talks to
 * the admin listener only (never the store directly), so every action goes through the same role
 * check, two-person rule and audit as the console. Answers are printed as JSON.
 */
export interface AdminIo {
  out(text: string): void;
  err(text: string): void;
  readonly env: NodeJS.ProcessEnv;
}

const processIo: AdminIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
};

const USAGE = `usage: gatehouse admin <command> [--url URL] [--token TOKEN] [--cacert PEM] [--cert PEM --key PEM]
  (URL and TOKEN default to $GATEHOUSE_ADMIN_URL and $GATEHOUSE_ADMIN_TOKEN: an OIDC token or an admin key)

  whoami | consumers | consumer NAME | routes | events | audit | health | pace | overrides | proposals
  quota NAME --rpm N [--burst N] [--itpm N] [--otpm N] [--cost-hard USD --cost-soft USD] --reason TEXT
  quota NAME --clear --reason TEXT
  plan NAME (PLAN | --clear) --reason TEXT
  disable NAME --reason TEXT            enable NAME --reason TEXT
  key-issue NAME [--expires-days N] --reason TEXT
  key-revoke NAME KEY_ID --reason TEXT
  guard ROUTE [--injection A] [--pii A] [--secrets A] [--policy A] [--clear] --reason TEXT   (A: allow|flag|redact|block)
  model ROUTE (MODEL | --clear) --reason TEXT     (two-person by default: prints the proposal)
  approve ID --reason TEXT              reject ID --reason TEXT
  call METHOD PATH [--body JSON] [--reason TEXT]   any admin route (PATH under /admin/v1)
`;

interface Call {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
}

const enc = encodeURIComponent;
const rate = (n: string | undefined, burst?: string) =>
  n === undefined ? undefined : { perMinute: Number(n), burst: Number(burst ?? 0) };

/** Commands to admin calls; null when the arguments do not fit (usage is printed). */
const COMMANDS: Readonly<Record<string, (a: ParsedArgs, p: readonly string[]) => Call | null>> = {
  whoami: () => ({ method: 'GET', path: '/whoami' }),
  consumers: () => ({ method: 'GET', path: '/consumers' }),
  consumer: (_a, [n]) => (n === undefined ? null : { method: 'GET', path: `/consumers/${enc(n)}` }),
  routes: () => ({ method: 'GET', path: '/routes' }),
  events: () => ({ method: 'GET', path: '/events' }),
  audit: () => ({ method: 'GET', path: '/audit' }),
  health: () => ({ method: 'GET', path: '/health' }),
  pace: () => ({ method: 'GET', path: '/pace' }),
  overrides: () => ({ method: 'GET', path: '/overrides' }),
  proposals: () => ({ method: 'GET', path: '/proposals' }),
  quota: (a, [n]) => {
    if (n === undefined) return null;
    if (a.flags.has('clear'))
      return { method: 'PUT', path: `/consumers/${enc(n)}/quota`, body: { limits: null } };
    const hard = flagString(a, 'cost-hard');
    const limits = {
      requests: rate(flagString(a, 'rpm'), flagString(a, 'burst')),
      inputTokens: rate(flagString(a, 'itpm')),
      outputTokens: rate(flagString(a, 'otpm')),
      cost:
        hard === undefined
          ? undefined
          : { hardPerHour: Number(hard), softPerHour: Number(flagString(a, 'cost-soft') ?? hard) },
    };
    const set = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
    return Object.keys(set).length === 0
      ? null
      : { method: 'PUT', path: `/consumers/${enc(n)}/quota`, body: { limits: set } };
  },
  plan: (a, [n, plan]) =>
    n === undefined || (plan === undefined && !a.flags.has('clear'))
      ? null
      : { method: 'PUT', path: `/consumers/${enc(n)}/plan`, body: { plan: plan ?? null } },
  disable: (_a, [n]) =>
    n === undefined
      ? null
      : { method: 'PUT', path: `/consumers/${enc(n)}/enabled`, body: { enabled: false } },
  enable: (_a, [n]) =>
    n === undefined ? null : { method: 'PUT', path: `/consumers/${enc(n)}/enabled`, body: { enabled: true } },
  'key-issue': (a, [n]) => {
    const days = flagString(a, 'expires-days');
    return n === undefined
      ? null
      : {
          method: 'POST',
          path: `/consumers/${enc(n)}/keys`,
          body: days === undefined ? {} : { expiresInDays: Number(days) },
        };
  },
  'key-revoke': (_a, [n, id]) =>
    n === undefined || id === undefined
      ? null
      : { method: 'DELETE', path: `/consumers/${enc(n)}/keys/${enc(id)}`, body: {} },
  guard: (a, [route]) => {
    if (route === undefined) return null;
    if (a.flags.has('clear'))
      return { method: 'PUT', path: `/routes/${enc(route)}/guard`, body: { guard: null } };
    const guard = Object.fromEntries(
      ['injection', 'pii', 'secrets', 'policy'].flatMap((k) => {
        const v = flagString(a, k);
        return v === undefined ? [] : [[k, v]];
      }),
    );
    return Object.keys(guard).length === 0
      ? null
      : { method: 'PUT', path: `/routes/${enc(route)}/guard`, body: { guard } };
  },
  model: (a, [route, model]) =>
    route === undefined || (model === undefined && !a.flags.has('clear'))
      ? null
      : { method: 'PUT', path: `/routes/${enc(route)}/model`, body: { model: model ?? null } },
  approve: (_a, [id]) =>
    id === undefined ? null : { method: 'POST', path: `/proposals/${enc(id)}/approve`, body: {} },
  reject: (_a, [id]) =>
    id === undefined ? null : { method: 'POST', path: `/proposals/${enc(id)}/reject`, body: {} },
  call: (a, [method, path]) => {
    const m = method?.toUpperCase();
    if (m !== 'GET' && m !== 'POST' && m !== 'PUT' && m !== 'DELETE') return null;
    if (path === undefined || !path.startsWith('/')) return null;
    const body = flagString(a, 'body');
    return { method: m, path, ...(body !== undefined && { body: JSON.parse(body) }) };
  },
};

export async function runAdminCommand(argv: string[], io: AdminIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  const build = name === undefined ? undefined : COMMANDS[name];
  if (build === undefined) {
    io.err(USAGE);
    return 2;
  }
  const args = parseArgs(rest, ['clear']);
  const call = build(args, args.positionals);
  if (call === null) {
    io.err(USAGE);
    return 2;
  }
  const url = flagString(args, 'url') ?? io.env.GATEHOUSE_ADMIN_URL;
  const token = flagString(args, 'token') ?? io.env.GATEHOUSE_ADMIN_TOKEN;
  const reason = flagString(args, 'reason');
  if (url === undefined) {
    io.err('gatehouse admin: --url or GATEHOUSE_ADMIN_URL is required\n');
    return 2;
  }
  if (call.method !== 'GET' && reason === undefined) {
    io.err('gatehouse admin: every change needs --reason TEXT (it goes into the audit trail)\n');
    return 2;
  }
  const cacert = flagString(args, 'cacert');
  const cert = flagString(args, 'cert');
  const key = flagString(args, 'key');
  const dispatcher =
    cacert === undefined && cert === undefined
      ? undefined
      : new Agent({
          connect: {
            ...(cacert !== undefined && { ca: readFileSync(cacert) }),
            ...(cert !== undefined && { cert: readFileSync(cert) }),
            ...(key !== undefined && { key: readFileSync(key) }),
          },
        });
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (reason !== undefined) headers['x-gatehouse-reason'] = encodeURIComponent(reason);
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await request(`${url.replace(/\/+$/, '')}/admin/v1${call.path}`, {
      method: call.method,
      headers,
      ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
      ...(dispatcher !== undefined && { dispatcher }),
    });
    const text = await res.body.text();
    let shown = text;
    try {
      shown = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // Not JSON: print as received.
    }
    if (res.statusCode >= 400) {
      io.err(`${shown}\n`);
      return 1;
    }
    if (res.statusCode === 202)
      io.err('proposed: a different approver must approve it (gatehouse admin approve ID)\n');
    io.out(`${shown}\n`);
    return 0;
  } finally {
    await dispatcher?.close();
  }
}
