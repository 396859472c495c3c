import { loadConfigFile, parseConfig } from '../config/load.js';
import { checkSandboxHost, runSandboxed, SandboxUnavailableError } from '../sandbox/runner.js';
import { flagString, parseArgs } from './args.js';

const USAGE =
  'usage: gatehouse sandbox mcp [--config FILE] | sandbox check [--config FILE] | sandbox run --language python|node --code CODE [--config FILE]\n';

/**
 * `gatehouse sandbox mcp`: the code sandbox as a stdio MCP server for the tool gateway to spawn.
 * `sandbox check`: can this host sandbox (bwrap, prlimit, user namespaces)? `sandbox run`: one run.
 */
export async function runSandboxCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const args = parseArgs(rest);
  const file = flagString(args, 'config') ?? process.env.GATEHOUSE_CONFIG;
  const cfg = (file ? loadConfigFile(file) : parseConfig({})).sandbox;
  try {
    checkSandboxHost(cfg);
  } catch (err) {
    if (!(err instanceof SandboxUnavailableError)) throw err;
    // Refuse, never fall back to running code unsandboxed.
    process.stderr.write(`gatehouse sandbox: cannot sandbox on this host: ${err.message}\n`);
    return 1;
  }
  if (sub === 'check') {
    process.stdout.write('sandbox available: bwrap, prlimit and user namespaces present\n');
    return 0;
  }
  if (sub === 'run') {
    const language = flagString(args, 'language');
    const code = flagString(args, 'code');
    if ((language !== 'python' && language !== 'node') || code === undefined) {
      process.stderr.write(USAGE);
      return 2;
    }
    const r = await runSandboxed(cfg, { language, code });
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return r.exitCode === 0 ? 0 : 1;
  }
  if (sub === 'mcp') {
    const { serveStdio } = await import('@modelcontextprotocol/server/stdio');
    const { createSandboxMcpServer } = await import('../sandbox/mcp-server.js');
    const handle = serveStdio(createSandboxMcpServer(cfg));
    await new Promise<void>((resolve) => {
      process.stdin.once('end', resolve);
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    await handle.close();
    return 0;
  }
  process.stderr.write(USAGE);
  return 2;
}
