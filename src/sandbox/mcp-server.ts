import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { SandboxConfig, SandboxLanguage } from '../config/schema/sandbox.js';
import { runSandboxed, type SandboxResult } from './runner.js';

/** At most `n` runs at once; the rest wait in order (a burst of calls cannot fork the host to death). */
function semaphore(n: number) {
  let free = n;
  const waiting: Array<() => void> = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (free > 0) free--;
    else await new Promise<void>((r) => waiting.push(r));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

const TOOLS: Readonly<Record<SandboxLanguage, { name: string; title: string }>> = {
  python: { name: 'run_python', title: 'Run Python in the sandbox' },
  node: { name: 'run_node', title: 'Run JavaScript (Node.js) in the sandbox' },
};

function resultText(r: SandboxResult): string {
  const parts = [`exit: ${r.exitCode ?? `killed (${r.limit ?? r.signal})`}`];
  if (r.stdout !== '') parts.push(`stdout:\n${r.stdout}`);
  if (r.stderr !== '') parts.push(`stderr:\n${r.stderr}`);
  if (r.truncated) parts.push('(output truncated at the sandbox output limit)');
  return parts.join('\n');
}

/**
 * The sandbox as an MCP server (stdio), so code execution is offered to agents only as a tool
 * behind the tool gateway: listed there as a stdio upstream (`gatehouse sandbox mcp --config F`),
 * it gets the gateway's allowlist, argument limits, approvals, output sanitising and audit. The
 * tools hold no state between calls; every call is a new sandbox.
 */
export function createSandboxMcpServer(cfg: SandboxConfig): () => McpServer {
  const limit = semaphore(cfg.limits.concurrency);
  const input = z.object({
    code: z.string().min(1).max(cfg.limits.codeBytes),
    stdin: z.string().max(cfg.limits.stdinBytes).optional(),
  });
  const output = z.object({
    stdout: z.string(),
    stderr: z.string(),
    exitCode: z.number().int().nullable(),
    limit: z.enum(['wall_clock', 'output', 'cpu']).nullable(),
    truncated: z.boolean(),
    durationMs: z.number(),
  });
  return () => {
    const server = new McpServer(
      { name: 'gatehouse-sandbox', version: '1.0.0' },
      { capabilities: { tools: {} } },
    );
    for (const language of Object.keys(TOOLS) as SandboxLanguage[]) {
      const t = TOOLS[language];
      server.registerTool(
        t.name,
        {
          title: t.title,
          description: `${t.title}: no network, no files kept between runs, ${cfg.limits.wallMs} ms wall clock, ${cfg.limits.cpuSeconds} s CPU, ${Math.round(cfg.limits.memoryBytes / 1048576)} MiB memory, ${cfg.limits.outputBytes} bytes of output.`,
          inputSchema: input,
          outputSchema: output,
          annotations: {
            readOnlyHint: false,
            openWorldHint: false,
            destructiveHint: false,
            idempotentHint: false,
          },
        },
        async ({ code, stdin }) => {
          const r = await limit(() =>
            runSandboxed(cfg, { language, code, ...(stdin !== undefined && { stdin }) }),
          );
          const structured = {
            stdout: r.stdout,
            stderr: r.stderr,
            exitCode: r.exitCode,
            limit: r.limit,
            truncated: r.truncated,
            durationMs: r.durationMs,
          };
          return {
            content: [{ type: 'text' as const, text: resultText(r) }],
            structuredContent: structured,
            isError: r.exitCode !== 0,
          };
        },
      );
    }
    return server;
  };
}
