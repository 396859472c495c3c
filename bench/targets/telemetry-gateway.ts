import { join } from 'node:path';
import pino from 'pino';
import { startGateway } from '../../src/boot/gateway.js';
import { correlateStage } from '../../src/edge/correlate.js';
import { capsStage } from '../../src/edge/validate/caps-stage.js';
import { parseStage } from '../../src/edge/validate/parse-stage.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { recordStage } from '../../src/telemetry/record.js';
import { callUpstreamStage } from '../../src/upstream/call-stage.js';
import { routeStage } from '../../src/upstream/route-stage.js';
import { flag, ready } from '../lib/child.js';
import { benchGatewayConfig } from './config.js';

/**
 * Gatehouse for the telemetry benchmark: the core pipeline with the record stage, metrics and
 * alert engine in both variants; `--audit on` adds a Splunk HEC sink (spooled on disk, batched
 * over HTTP) to `--hec URL`, `--audit off` has no audit sink.
 */
const upstream = flag('upstream', 'http://127.0.0.1:8000');
const mode = flag('audit', 'on');
/**
 * `on`: a Splunk HEC sink (spool mode `always`); `on-memory`: the same with spool mode `onFailure`;
 * `file`: a local file sink (isolates the remote part); `off`: none.
 */
const sinks =
  mode === 'file'
    ? [{ kind: 'file' as const, path: join(flag('spool', '.tmp/bench-spool'), 'file', 'audit.ndjson') }]
    : mode === 'on' || mode === 'on-memory'
      ? [
          {
            kind: 'splunk_hec' as const,
            url: flag('hec', 'http://127.0.0.1:8088'),
            token: 'bench-token',
            batchSize: 1000,
          },
        ]
      : [];
const config = benchGatewayConfig(upstream, {
  limits: { enabled: false },
  telemetry: {
    audit: {
      sinks,
    },
    spool: {
      dir: join(flag('spool', '.tmp/bench-spool'), mode),
      mode: mode === 'on-memory' ? 'onFailure' : 'always',
    },
  },
});
const logger = createLogger('info', pino.destination({ dest: flag('log', '/dev/null'), sync: false }));
const stages = [correlateStage, parseStage, capsStage, routeStage, callUpstreamStage, recordStage];
const gw = await startGateway(config, { logger, stages });
ready(gw.url);

process.on('SIGTERM', () => {
  void gw.close().finally(() => process.exit(0));
});
