import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerfileFindings } from '../../../src/preflight/artifacts.js';

/**
 * The container image, checked statically (hadolint-style rules: src/preflight/artifacts.ts, and
 * each property asserted here on its own). Building it needs a container daemon, which CI does not
 * have: GATEHOUSE_TEST_DOCKER=1 adds the build and a read-only run (docs/deploy.md).
 */
const ROOT = join(import.meta.dirname, '../../..');
const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const lines = text
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const finalStage = lines.slice(lines.findLastIndex((l) => l.startsWith('FROM ')));

describe('Dockerfile', () => {
  it('passes the audit rules', () => {
    expect(dockerfileFindings(text)).toEqual([]);
  });

  it('is multi-stage: builds on Node, runs on distroless (no shell, no package manager)', () => {
    const froms = lines.filter((l) => l.startsWith('FROM '));
    expect(froms).toHaveLength(2);
    expect(froms[0]).toMatch(/^FROM node:20\.\d+-bookworm-slim AS build$/);
    expect(froms[1]).toBe('FROM gcr.io/distroless/nodejs20-debian12:nonroot');
    expect(finalStage.some((l) => l.startsWith('RUN '))).toBe(false);
  });

  it('runs as a numeric non-root user', () => {
    expect(finalStage.filter((l) => l.startsWith('USER '))).toEqual(['USER 65532:65532']);
  });

  it('declares the only writable paths as volumes (read-only root filesystem)', () => {
    expect(finalStage).toContain('VOLUME ["/var/lib/gatehouse/spool", "/tmp"]');
  });

  it('health-checks with node against the health port, exec form', () => {
    const hc = finalStage.find((l) => l.startsWith('HEALTHCHECK '));
    expect(hc).toMatch(/CMD \["\/nodejs\/bin\/node", "\/app\/bin\/healthcheck\.js"\]$/);
    expect(existsSync(join(ROOT, 'bin/healthcheck.js'))).toBe(true);
    expect(finalStage).toContain('ENTRYPOINT ["/nodejs/bin/node", "/app/bin/gatehouse.js"]');
  });

  it('publishes the data port only', () => {
    expect(finalStage.filter((l) => l.startsWith('EXPOSE '))).toEqual(['EXPOSE 8443']);
  });

  it('.dockerignore sends only what the build copies', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignore).toContain('**');
    for (const allowed of [
      '!package.json',
      '!package-lock.json',
      '!src/**',
      '!bin/**',
      '!models/**',
      '!data/**',
    ])
      expect(ignore).toContain(allowed);
    for (const denied of ['**/*.pem', '**/*.key', '**/.env*']) expect(ignore).toContain(denied);
  });

  it('the rules catch a weakened Dockerfile', () => {
    const weak = text
      .replace('FROM gcr.io/distroless/nodejs20-debian12:nonroot', 'FROM node:latest')
      .replace('USER 65532:65532', 'USER root')
      .replace(/^HEALTHCHECK .*$/m, 'HEALTHCHECK CMD curl -f http://127.0.0.1:8081/health')
      .replace(/^VOLUME .*$/m, '');
    expect(dockerfileFindings(weak)).toEqual([
      'DL3006/DL3007: node:latest is not pinned to a tag or digest',
      'final stage node:latest: not a distroless base (shell and package manager present)',
      'DL3002: final USER is root',
      'HEALTHCHECK is not exec-form node (no shell or curl in the image)',
      'no VOLUME for /tmp (read-only root needs a writable tmp)',
      'no VOLUME for the audit spool',
    ]);
  });

  // Opt-in: needs a container daemon (docs/deploy.md, "Building the image").
  it.runIf(process.env.GATEHOUSE_TEST_DOCKER === '1')(
    'builds, and runs read-only as non-root without a shell',
    () => {
      const tag = `gatehouse-test:${process.pid}`;
      execFileSync('docker', ['build', '-t', tag, ROOT], { stdio: 'pipe', timeout: 600_000 });
      const user = execFileSync('docker', ['image', 'inspect', '-f', '{{.Config.User}}', tag])
        .toString()
        .trim();
      expect(user).toBe('65532:65532');
      const out = execFileSync('docker', [
        'run',
        '--rm',
        '--read-only',
        '--entrypoint',
        '/nodejs/bin/node',
        tag,
        '-e',
        'console.log(process.getuid())',
      ]);
      expect(out.toString().trim()).toBe('65532');
      expect(() =>
        execFileSync('docker', ['run', '--rm', '--entrypoint', '/bin/sh', tag, '-c', 'true'], {
          stdio: 'pipe',
        }),
      ).toThrow();
    },
    700_000,
  );
});
