import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/**
 * The reference WAF edge (deploy/waf) started for a test: the shipped files rendered with this
 * test's paths and ports (as `envsubst` does at deploy time), nginx in the foreground with its own
 * prefix directory, on a free port. Nothing is written outside the temporary directory.
 */
export const WAF_DIR = join(import.meta.dirname, '../../deploy/waf');

export interface WafEdge {
  readonly port: number;
  /** `https://localhost:<port>/`: CRS refuses a numeric Host header (rule 920350), so use the name. */
  readonly url: string;
  readonly runDir: string;
  auditLog(): string;
  close(): Promise<void>;
}

export interface WafOptions {
  /** host:port of Gatehouse. */
  readonly upstream: string;
  readonly upstreamScheme: 'http' | 'https';
  readonly cert: string;
  readonly key: string;
  /** CA bundle that signs Gatehouse's certificate (read by nginx even for an http upstream). */
  readonly ca: string;
}

/** Replaces exactly the named ${VARS}; any ${GATEHOUSE_*} left over is a mistake in the files. */
export function renderTemplate(text: string, vars: Readonly<Record<string, string>>): string {
  const out = text.replace(/\$\{(GATEHOUSE_[A-Z_]+)\}/g, (m, name: string) => vars[name] ?? m);
  const left = /\$\{GATEHOUSE_[A-Z_]+\}/.exec(out);
  if (left !== null) throw new Error(`unrendered ${left[0]}`);
  return out;
}

async function waitForPort(port: number, child: ChildProcess, errorLog: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${readSafe(errorLog)}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not listen on ${port}: ${readSafe(errorLog)}`);
}

const readSafe = (f: string): string => {
  try {
    return readFileSync(f, 'utf8').slice(-4_000);
  } catch {
    return '(no error log)';
  }
};

export async function startWafEdge(opts: WafOptions): Promise<WafEdge> {
  const root = mkdtempSync(join(tmpdir(), 'gh-waf-'));
  const run = join(root, 'run');
  const conf = join(root, 'conf');
  mkdirSync(run);
  mkdirSync(conf);
  // Started as root (CI), nginx's workers run as nobody: they must reach the temp paths.
  chmodSync(root, 0o755);
  chmodSync(run, 0o755);
  const port = await freePort();
  const vars: Record<string, string> = {
    GATEHOUSE_WAF_RUN: run,
    GATEHOUSE_WAF_CONF: conf,
    GATEHOUSE_WAF_LISTEN: `127.0.0.1:${port}`,
    GATEHOUSE_WAF_CERT: opts.cert,
    GATEHOUSE_WAF_KEY: opts.key,
    GATEHOUSE_UPSTREAM: opts.upstream,
    GATEHOUSE_UPSTREAM_SCHEME: opts.upstreamScheme,
    GATEHOUSE_UPSTREAM_NAME: 'localhost',
    GATEHOUSE_UPSTREAM_CA: opts.ca,
  };
  for (const f of readdirSync(WAF_DIR).filter((n) => n.endsWith('.conf')))
    writeFileSync(join(conf, f), renderTemplate(readFileSync(join(WAF_DIR, f), 'utf8'), vars));
  const errorLog = join(run, 'error.log');
  const child = spawn(
    'nginx',
    ['-p', run, '-c', join(conf, 'nginx.conf'), '-e', errorLog, '-g', 'daemon off;'],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await waitForPort(port, child, errorLog);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    url: `https://localhost:${port}/`,
    runDir: run,
    auditLog: () => readSafe(join(run, 'modsec_audit.log')),
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
