import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The sandbox as the tool gateway sees it: a stdio MCP server spawned as `gatehouse sandbox mcp`,
 * driven by the official SDK client.
 */
let client: Client;

beforeAll(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'gh-sandbox-')), 'gatehouse.yaml');
  writeFileSync(file, 'sandbox:\n  limits:\n    wallMs: 3000\n    cpuSeconds: 2\n');
  client = new Client({ name: 'sandbox-test', version: '1.0.0' });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'test/helpers/run-cli.ts', 'sandbox', 'mcp', '--config', file],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stderr: 'pipe',
  });
  await client.connect(transport);
}, 60_000);

afterAll(async () => {
  await client?.close();
});

describe('sandbox MCP server', () => {
  it('lists run_python and run_node with bounded inputs', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    expect(names).toEqual(['run_node', 'run_python']);
    const py = tools.find((t) => t.name === 'run_python');
    expect(py?.inputSchema.properties).toHaveProperty('code');
    expect(JSON.stringify(py?.inputSchema)).toContain('maxLength');
  });

  it('runs code in the sandbox and returns structured output', async () => {
    const r = await client.callTool({
      name: 'run_python',
      arguments: {
        code: 'import socket\ntry:\n  socket.create_connection(("10.0.0.1", 80), timeout=1)\nexcept OSError: print("no network")',
      },
    });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ stdout: 'no network\n', exitCode: 0 });
  });

  it('reports a runaway as a killed run, not a hang', async () => {
    const r = await client.callTool({ name: 'run_node', arguments: { code: 'for(;;){}' } });
    expect(r.isError).toBe(true);
    expect((r.structuredContent as { exitCode: number | null }).exitCode).toBeNull();
  }, 30_000);

  it('refuses code over the size limit before running it', async () => {
    const r = await client.callTool({ name: 'run_python', arguments: { code: 'x'.repeat(70_000) } });
    expect(r.isError).toBe(true);
  });
});
