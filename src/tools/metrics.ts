import { Counter, Histogram, type Registry } from 'prom-client';

/** Per server and tool; labels are configured names only (never arguments or identities). */
export interface ToolMetrics {
  readonly calls: Counter<'server' | 'tool' | 'outcome' | 'code'>;
  readonly latency: Histogram<'server' | 'tool'>;
  readonly blocked: Counter<'server' | 'tool' | 'reason'>;
}

export function createToolMetrics(registry: Registry): ToolMetrics {
  const existing = registry.getSingleMetric('gatehouse_tool_calls_total');
  if (existing !== undefined) registry.removeSingleMetric('gatehouse_tool_calls_total');
  for (const n of ['gatehouse_tool_call_duration_seconds', 'gatehouse_tool_blocked_total'])
    if (registry.getSingleMetric(n) !== undefined) registry.removeSingleMetric(n);
  return {
    calls: new Counter({
      name: 'gatehouse_tool_calls_total',
      help: 'Tool calls through /mcp by server, tool, outcome and error code',
      labelNames: ['server', 'tool', 'outcome', 'code'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'gatehouse_tool_call_duration_seconds',
      help: 'Tool call latency through the gateway (controls and upstream)',
      labelNames: ['server', 'tool'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
    blocked: new Counter({
      name: 'gatehouse_tool_blocked_total',
      help: 'Tools blocked by pinning, signature or description scanning (alert on any increase)',
      labelNames: ['server', 'tool', 'reason'],
      registers: [registry],
    }),
  };
}
