import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DnsStub, startDnsStub } from '../../helpers/dns-stub.js';

/*
 * `gatehouse egress test`: the seed's "network policy tests automated in deployment pipeline",
 * run as the CLI a pipeline runs, against the config's own proxy.
 */
let dns: DnsStub;
let target: Server;
let port: number;
let dir: string;

beforeAll(async () => {
  dns = await startDnsStub({ 'ok.test': { A: ['127.0.0.2'] }, 'meta.test': { A: ['169.254.169.254'] } });
  target = createServer((s) => s.end());
  port = await new Promise<number>((r) =>
    target.listen(0, '127.0.0.2', () => r((target.address() as AddressInfo).port)),
  );
  dir = mkdtempSync(join(tmpdir(), 'gh-egress-cli-'));
});

afterAll(async () => {
  await dns?.close();
  await new Promise((r) => target?.close(r));
});

function writeConfig(probes: string): string {
  const file = join(dir, `egress-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `egress:
  port: 0
  dnsServers: ["${dns.server}"]
  identities:
    - id: tools
      credential: \${GH_TEST_EGRESS_TOOLS}
      allowNetworks: ["127.0.0.2/32"]
      allow:
        - { host: ok.test, ports: [${port}] }
        - { host: meta.test, ports: [80] }
  probes:
${probes}`,
  );
  return file;
}

// Asynchronous on purpose: the DNS stub answering the CLI lives in this process's event loop.
const run = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'test/helpers/run-cli.ts', 'egress', 'test', ...args],
      {
        encoding: 'utf8',
        env: { ...process.env, GH_TEST_EGRESS_TOOLS: 'tools-secret-0123456789' },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
  });

describe('gatehouse egress test', () => {
  it('passes when allowed destinations open and denied ones are refused (JUnit output)', async () => {
    const file = writeConfig(
      `    - { identity: tools, target: "ok.test:${port}", expect: allow }
    - { identity: tools, target: "meta.test:80", expect: deny }
    - { identity: tools, target: "elsewhere.test:443", expect: deny }
    - { identity: tools, target: "127.0.0.2:${port}", expect: deny }
`,
    );
    const r = await run(['--config', file, '--format', 'junit']);
    expect(r.stderr).not.toContain('Error');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('<testsuites tests="4" failures="0">');
    expect(r.stdout).not.toContain('<failure');
  });

  it('fails, naming the probe, when the policy lets through what it should not', async () => {
    const file = writeConfig(`    - { identity: tools, target: "ok.test:${port}", expect: deny }
`);
    const r = await run(['--config', file, '--format', 'json']);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { passed: boolean; results: Array<{ pass: boolean; got: string }> };
    expect(out.passed).toBe(false);
    expect(out.results[0]).toMatchObject({ pass: false, got: 'allow' });
  });
});
