import { ConfigError } from '../config/load.js';
import { runAdminCommand } from './admin.js';
import { CANARY_USAGE, runCanaryCommand } from './canary.js';
import { runEgressCommand } from './egress.js';
import { runEvalCommand } from './eval.js';
import { runEvalLeak } from './eval-leak.js';
import { runExportCommand } from './export.js';
import { runJudgeCommand } from './judge.js';
import { runKeysCommand } from './keys.js';
import { runKillCommand } from './kill.js';
import { runLintCommand } from './lint.js';
import { runSandboxCommand } from './sandbox.js';
import { runStartCommand } from './start.js';

type Command = (argv: string[]) => Promise<number>;

/** Subcommands by name; features add theirs here. */
const COMMANDS: Readonly<Record<string, { run: Command; help: string }>> = {
  start: {
    run: runStartCommand,
    help: 'start [--config FILE]   run the gateway (embedded demo defaults without a config)',
  },
  lint: { run: runLintCommand, help: 'lint --config FILE      check a configuration, print every problem' },
  keys: {
    run: runKeysCommand,
    help: 'keys create --consumer NAME [--expires 30d] | keys revoke ...   API keys (printed once, hash stored)',
  },
  eval: {
    run: (argv) => (argv[0] === 'leak' ? runEvalLeak(argv.slice(1)) : runEvalCommand(argv)),
    help: 'eval <injection|pii|secrets|leak> FILE.jsonl [--json] [--peers]   detector precision/recall/F1',
  },
  egress: {
    run: runEgressCommand,
    help: 'egress --config FILE | egress test --config FILE [--format table|json|junit]   egress proxy and its policy check',
  },
  sandbox: {
    run: runSandboxCommand,
    help: 'sandbox mcp|check|run [--config FILE]   the code-execution sandbox (bubblewrap), as a stdio MCP tool server',
  },
  judge: {
    run: runJudgeCommand,
    help: 'judge --config FILE      Judge workers in a process of their own (Redis store)',
  },
  kill: {
    run: runKillCommand,
    help: 'kill --scope all|route|consumer|deployment|tool|egress [--target T] --reason TEXT [--release] [--file PATH]   kill switch',
  },
  admin: {
    run: (argv) => runAdminCommand(argv),
    help: 'admin <consumers|quota|disable|key-issue|model|approve|...> --url URL --reason TEXT   control plane API',
  },
  tools: {
    // Loaded on use: the MCP SDK is not needed by the other commands' start-up.
    run: async (argv) => (await import('./tools.js')).runToolsCommand(argv),
    help: 'tools list|pin|sign|verify --config FILE [--key K]   tool allowlists, pinned and signed manifests',
  },
  export: {
    run: runExportCommand,
    help: 'export prometheus-rules [--config FILE] [--out FILE]   SOC alerting rules',
  },
  audit: {
    // Loaded on use: the audit's probes and report writers stay out of every other command's start-up.
    run: async (argv) => (await import('./audit.js')).runAuditCommand(argv),
    help: 'audit --config FILE [--target URL] [--upstream URL ...] [--format table|json|junit|sarif] [--out FILE] [--fail-on SEVERITY]   pre-deployment checklist (docs/audit.md)',
  },
  canary: { run: (argv) => runCanaryCommand(argv), help: CANARY_USAGE },
};

function usage(): string {
  return `usage: gatehouse <command>\n\n${Object.values(COMMANDS)
    .map((c) => `  ${c.help}`)
    .join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`gatehouse: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`gatehouse: ${(err as Error).message}\n`);
    return 1;
  }
}
