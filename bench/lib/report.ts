import { percentile } from './load.js';

export interface Round {
  readonly ok: number;
  readonly failed: number;
  readonly seconds: number;
  readonly proxyCpuUs: number;
  readonly upstreamCpuUs: number;
  readonly latencies: Float64Array;
}

export interface Row {
  readonly scenario: string;
  readonly target: string;
  readonly rps: number;
  readonly rpsMin: number;
  readonly rpsMax: number;
  readonly p50: number;
  readonly p99: number;
  readonly proxyCpuPerReq: number | null;
  readonly upstreamCpuPerReq: number;
  readonly failed: number;
  readonly requests: number;
  /** Per round, in run order: RPS and proxy CPU µs per request (for ratios paired by round). */
  readonly rpsByRound: readonly number[];
  readonly cpuByRound: readonly number[];
}

/**
 * Median over rounds of a/b, each round's two numbers measured minutes apart at most: on a shared
 * machine this cancels the drift that the pooled numbers keep.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  const rs: number[] = [];
  for (let i = 0; i < n; i++) if (b[i]! > 0) rs.push(a[i]! / b[i]!);
  return rs.length === 0 ? Number.NaN : median(rs);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Pools every round's latencies (percentiles over all samples); RPS is the median round. */
export function summarise(scenario: string, target: string, rounds: readonly Round[], isProxy: boolean): Row {
  const total = rounds.reduce((n, r) => n + r.latencies.length, 0);
  const all = new Float64Array(total);
  let o = 0;
  for (const r of rounds) {
    all.set(r.latencies, o);
    o += r.latencies.length;
  }
  all.sort();
  const rps = rounds.map((r) => r.ok / r.seconds);
  const ok = rounds.reduce((n, r) => n + r.ok, 0);
  const cpu = rounds.reduce((n, r) => n + r.proxyCpuUs, 0);
  const up = rounds.reduce((n, r) => n + r.upstreamCpuUs, 0);
  return {
    scenario,
    target,
    rps: median(rps),
    rpsMin: Math.min(...rps),
    rpsMax: Math.max(...rps),
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    proxyCpuPerReq: isProxy ? cpu / ok : null,
    upstreamCpuPerReq: up / ok,
    failed: rounds.reduce((n, r) => n + r.failed, 0),
    requests: ok,
    rpsByRound: rps,
    cpuByRound: rounds.map((r) => (r.ok > 0 ? r.proxyCpuUs / r.ok : 0)),
  };
}

const f0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : 'n/a');
const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(2)}` : 'n/a');

export function table(rows: readonly Row[]): string {
  const out = [
    '| scenario | target | RPS (median) | RPS range over rounds | RPS vs undici | p50 ms | p99 ms | added p50 ms | added p99 ms | proxy CPU µs/req | CPU vs undici | upstream CPU µs/req | non-2xx/errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const direct = rows.find((x) => x.scenario === r.scenario && x.target === 'direct');
    const undici = rows.find((x) => x.scenario === r.scenario && x.target === 'undici');
    const isDirect = r.target === 'direct';
    out.push(
      `| ${r.scenario} | ${r.target} | ${f0(r.rps)} | ${f0(r.rpsMin)}–${f0(r.rpsMax)} | ${
        undici && !isDirect ? pct(pairedRatio(r.rpsByRound, undici.rpsByRound)) : ''
      } | ${f2(r.p50)} | ${f2(r.p99)} | ${direct && !isDirect ? signed(r.p50 - direct.p50) : ''} | ${
        direct && !isDirect ? signed(r.p99 - direct.p99) : ''
      } | ${r.proxyCpuPerReq === null ? '' : f0(r.proxyCpuPerReq)} | ${
        undici && r.proxyCpuPerReq !== null
          ? `${pairedRatio(r.cpuByRound, undici.cpuByRound).toFixed(2)}×`
          : ''
      } | ${f0(r.upstreamCpuPerReq)} | ${r.failed} |`,
    );
  }
  return out.join('\n');
}

export interface Check {
  readonly what: string;
  readonly value: string;
  readonly pass: boolean | null;
}

/** Issue 2's targets, each measured against the other targets of the same run. */
export function checks(rows: readonly Row[]): Check[] {
  const get = (s: string, t: string) => rows.find((r) => r.scenario === s && r.target === t);
  const out: Check[] = [];
  for (const s of [...new Set(rows.map((r) => r.scenario))]) {
    const gh = get(s, 'gatehouse');
    if (!gh) continue;
    const undici = get(s, 'undici');
    const direct = get(s, 'direct');
    if (!s.includes('ms') && undici) {
      const ratio = pairedRatio(gh.rpsByRound, undici.rpsByRound);
      out.push({
        what: `${s}: Gatehouse RPS >= 70% of undici`,
        value: `${(100 * ratio).toFixed(0)}%`,
        pass: ratio >= 0.7,
      });
      const cpu = pairedRatio(gh.cpuByRound, undici.cpuByRound);
      out.push({
        what: `${s}: CPU per request vs undici (throughput if CPU-bound)`,
        value: `${cpu.toFixed(2)}× (${pct(1 / cpu)})`,
        pass: null,
      });
    }
    if (s.includes('ms') && direct) {
      const a50 = gh.p50 - direct.p50;
      const a99 = gh.p99 - direct.p99;
      out.push({ what: `${s}: added p50 <= 1 ms`, value: `${signed(a50)} ms`, pass: a50 <= 1 });
      out.push({ what: `${s}: added p99 <= 5 ms`, value: `${signed(a99)} ms`, pass: a99 <= 5 });
    }
  }
  return out;
}

export function checksTable(cs: readonly Check[]): string {
  const out = ['| target | measured | met |', '|---|---:|:---:|'];
  for (const c of cs)
    out.push(`| ${c.what} | ${c.value} | ${c.pass === null ? '' : c.pass ? 'yes' : 'NO'} |`);
  return out.join('\n');
}

/**
 * Portkey 1.15.2's CPU per request in the issue's own run (JSON / SSE, µs). Portkey is not installed
 * here (no network at run time), so the "1/3 of Portkey" target is checked against these figures,
 * not against a Portkey measured in the same run.
 */
const PORTKEY_CPU_US: Readonly<Record<string, number>> = { json: 1_186, sse: 1_336 };

/** Issue 13's targets for the CLI-started pipelines (gatehouse-core, gatehouse-full). */
export function pipelineChecks(rows: readonly Row[]): Check[] {
  const get = (s: string, t: string) => rows.find((r) => r.scenario === s && r.target === t);
  const out: Check[] = [];
  for (const s of [...new Set(rows.map((r) => r.scenario))]) {
    const undici = get(s, 'undici');
    const direct = get(s, 'direct');
    const core = get(s, 'gatehouse-core');
    const full = get(s, 'gatehouse-full');
    if (!s.includes('ms') && undici) {
      if (core) {
        const r = pairedRatio(core.cpuByRound, undici.cpuByRound);
        out.push({ what: `${s}: core CPU/req <= 1.5× undici`, value: `${r.toFixed(2)}×`, pass: r <= 1.5 });
      }
      if (full) {
        const r = pairedRatio(full.cpuByRound, undici.cpuByRound);
        out.push({ what: `${s}: full CPU/req <= 4× undici`, value: `${r.toFixed(2)}×`, pass: r <= 4 });
        const pk = PORTKEY_CPU_US[s];
        if (pk !== undefined && full.proxyCpuPerReq !== null) {
          const x = full.proxyCpuPerReq / pk;
          out.push({
            what: `${s}: full CPU/req <= 1/3 of Portkey's (${pk} µs, the issue's figure)`,
            value: `${f0(full.proxyCpuPerReq)} µs = ${x.toFixed(2)}×`,
            pass: x <= 1 / 3,
          });
        }
      }
    }
    if (s.includes('ms') && direct) {
      const ua99 = undici ? undici.p99 - direct.p99 : Number.NaN;
      for (const [name, row, p50max] of [
        ['core', core, 1],
        ['full', full, 3],
      ] as const) {
        if (!row) continue;
        const a50 = row.p50 - direct.p50;
        const a99 = row.p99 - direct.p99;
        out.push({
          what: `${s}: ${name} added p50 <= ${p50max} ms`,
          value: `${signed(a50)} ms`,
          pass: a50 <= p50max,
        });
        if (undici)
          out.push({
            what: `${s}: ${name} added p99 <= 2× undici's (${signed(ua99)} ms)`,
            value: `${signed(a99)} ms`,
            pass: a99 <= 2 * Math.max(ua99, 0),
          });
      }
    }
  }
  return out;
}
