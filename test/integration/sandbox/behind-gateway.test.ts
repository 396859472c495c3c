import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/gateway.js';
import { consumerKey, startToolGateway, type ToolGateway, toolError } from '../tools/harness.js';

/**
 * The code sandbox behind the tool gateway, as deployed (issue 20): `gatehouse sandbox mcp` is a
 * stdio upstream of the gateway's config, and an agent with the official MCP client talks only to
 * `/mcp`. The allowlisted tool runs code in bubblewrap; a tool not allowlisted for the agent, code
 * over the operator's size constraint and a result over the output cap are refused; every call is
 * a `tool.call` audit event.
 */
const ROOT = join(import.meta.dirname, '../../..');
const agent = consumerKey('agent');
const other = consumerKey('other');
let tg: ToolGateway;

beforeAll(async () => {
  const sandboxConfig = join(mkdtempSync(join(tmpdir(), 'gh-sandbox-gw-')), 'sandbox.yaml');
  writeFileSync(sandboxConfig, 'sandbox:\n  limits:\n    wallMs: 10000\n    cpuSeconds: 5\n');
  tg = await startToolGateway({
    auth: { consumers: [agent.entry, other.entry] },
    tools: {
      enabled: true,
      servers: [
        {
          name: 'sandbox',
          transport: {
            kind: 'stdio',
            command: process.execPath,
            args: [
              '--import',
              'tsx',
              join(ROOT, 'test/helpers/run-cli.ts'),
              'sandbox',
              'mcp',
              '--config',
              sandboxConfig,
            ],
            cwd: ROOT,
          },
          timeoutMs: 60_000,
          tools: [
            { name: 'run_python', constraints: { code: { maxLength: 2_000 } }, output: { maxBytes: 8_192 } },
            { name: 'run_node', constraints: { code: { maxLength: 2_000 } } },
          ],
        },
      ],
      access: [
        { consumer: 'agent', tools: ['sandbox.run_python'] },
        { consumer: 'other', tools: ['sandbox.run_node'] },
      ],
    },
  });
}, 120_000);
afterAll(async () => {
  await tg?.close();
});

describe('the bubblewrap sandbox behind the tool gateway', () => {
  it('the agent sees only its allowlisted sandbox tool and runs code in it (no network inside)', async () => {
    const c = await tg.client(agent.key);
    expect((await c.listTools()).tools.map((t) => t.name)).toEqual(['sandbox.run_python']);
    const r = await c.callTool({ name: 'sandbox.run_python', arguments: { code: 'print(6 * 7)' } });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ stdout: '42\n', exitCode: 0 });

    const net = await c.callTool({
      name: 'sandbox.run_python',
      arguments: {
        code: 'import socket\ntry:\n  socket.create_connection(("127.0.0.1", 22), timeout=1)\n  print("connected")\nexcept OSError:\n  print("no network")',
      },
    });
    expect(net.structuredContent).toMatchObject({ stdout: 'no network\n', exitCode: 0 });
  }, 120_000);

  it('refuses a tool not allowlisted for the agent, code over the size constraint and an oversized result', async () => {
    const c = await tg.client(agent.key);
    expect(
      (await toolError(c.callTool({ name: 'sandbox.run_node', arguments: { code: 'console.log(1)' } }))).code,
    ).toBe('GH_ERR_TOOL_UNKNOWN');
    expect(
      (
        await toolError(
          c.callTool({ name: 'sandbox.run_python', arguments: { code: `x = 1${' '.repeat(2_000)}` } }),
        )
      ).code,
    ).toBe('GH_ERR_TOOL_ARGS_CONSTRAINT');
    // Under the sandbox's own 64 KiB cap, over the gateway's 8 KiB for this tool: refused, not cut.
    expect(
      (await toolError(c.callTool({ name: 'sandbox.run_python', arguments: { code: 'print("y" * 20000)' } })))
        .code,
    ).toBe('GH_ERR_TOOL_OUTPUT_TOO_LARGE');
    // Another identity reaches only its own tool.
    const o = await tg.client(other.key);
    const r = await o.callTool({ name: 'sandbox.run_node', arguments: { code: 'console.log(2 + 2)' } });
    expect(r.structuredContent).toMatchObject({ stdout: '4\n', exitCode: 0 });
  }, 120_000);

  it('every call is a tool.call audit event with its outcome and code, no code or output text', async () => {
    await eventually(() => {
      const calls = tg.auditEvents('tool.call');
      const tools = calls.map((e) => (e.gatehouse as { tool: { server: string; name: string } }).tool);
      expect(
        tools.filter((t) => t.server === 'sandbox' && t.name === 'run_python').length,
      ).toBeGreaterThanOrEqual(3);
      const codes = calls.map((e) => (e.error as { code?: string } | undefined)?.code).filter(Boolean);
      expect(codes).toEqual(
        expect.arrayContaining(['GH_ERR_TOOL_ARGS_CONSTRAINT', 'GH_ERR_TOOL_OUTPUT_TOO_LARGE']),
      );
      const ok = calls.filter(
        (e) =>
          (e.gatehouse as { tool: { outcome: string; upstream_called: boolean } }).tool.outcome === 'success',
      );
      expect(ok.length).toBeGreaterThanOrEqual(3);
      const text = JSON.stringify(calls);
      expect(text).not.toContain('print(6 * 7)');
      expect(text).not.toContain('yyyyyyyy');
    }, 30_000);
  });
});
