import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { connect, type TLSSocket } from 'node:tls';
import { lineHead, lineSummary } from '../audit/line.js';
import { clientTls } from '../tls.js';
import { ACCEPTED, SinkError, type SinkFactory } from './types.js';

/**
 * Syslog RFC 5424 messages over TLS (RFC 5425: octet-counted frames on one TCP connection). The
 * MSG is the event's JSON line; MSGID is `event.action`; the severity follows the event (alerts by
 * their severity, failures as notice, the rest informational).
 *
 * TCP acknowledges nothing at the application level: a batch counts as delivered once the kernel
 * took it, so a connection cut at that moment can lose what was in flight (RELP would close that
 * gap; docs/observability.md says so).
 */
const HOST =
  hostname()
    .replace(/[^!-~]/g, '')
    .slice(0, 255) || '-';
const PROC = String(process.pid);

/** Syslog severity (0 emergency … 7 debug) from the ECS severity and outcome the event carries. */
function syslogSeverity(kind: string, ecsSeverity: number, outcome: string): number {
  if (kind === 'alert') return ecsSeverity >= 73 ? 2 : ecsSeverity >= 47 ? 4 : 5;
  return outcome === 'failure' ? 5 : 6;
}

export function formatSyslog(line: string, facility: number, appName: string): Buffer {
  const s = lineSummary(line);
  const pri = facility * 8 + syslogSeverity(s.kind, s.severity, s.outcome);
  const ts = new Date(lineHead(line).time).toISOString();
  const msgid = s.action.replace(/[^!-~]/g, '').slice(0, 32) || '-';
  const msg = `<${pri}>1 ${ts} ${HOST} ${appName} ${PROC} ${msgid} - ${line}`;
  const len = Buffer.byteLength(msg);
  return Buffer.from(`${len} ${msg}`);
}

export const syslogSink: SinkFactory<'syslog'> = (cfg, deps) => {
  const tlsOpts = clientTls(cfg.tls, deps.secret);
  const servername = cfg.tls.servername ?? (isIP(cfg.host) === 0 ? cfg.host : undefined);
  let socket: TLSSocket | null = null;

  const open = (): Promise<TLSSocket> =>
    new Promise((resolve, reject) => {
      const s = connect({
        host: cfg.host,
        port: cfg.port,
        ...tlsOpts,
        ...(servername !== undefined && { servername }),
      });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new SinkError('syslog connect timeout', true));
      }, cfg.timeoutMs);
      s.once('secureConnect', () => {
        clearTimeout(timer);
        s.setKeepAlive(true, 30_000);
        s.on('close', () => {
          if (socket === s) socket = null;
        });
        resolve(s);
      });
      s.on('error', (err) => {
        clearTimeout(timer);
        if (socket === s) socket = null;
        reject(
          new SinkError(`syslog connection failed (${(err as NodeJS.ErrnoException).code ?? 'tls'})`, true),
        );
      });
    });

  return {
    name: cfg.name,
    kind: 'syslog',
    remote: true,
    async send(lines) {
      if (lines.length === 0) return ACCEPTED;
      const s = socket !== null && !socket.destroyed ? socket : (socket = await open());
      const frames = Buffer.concat(
        lines.map((l) => formatSyslog(l.toString('utf8'), cfg.facility, cfg.appName)),
      );
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          s.destroy();
          reject(new SinkError('syslog write timeout', true));
        }, cfg.timeoutMs);
        s.write(frames, (err) => {
          clearTimeout(timer);
          if (err) {
            s.destroy();
            reject(new SinkError('syslog write failed', true));
          } else resolve();
        });
      });
      return ACCEPTED;
    },
    async close() {
      const s = socket;
      socket = null;
      if (s === null) return;
      // A graceful end, bounded: a peer that never reads must not hold shutdown.
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          s.destroy();
          r();
        }, 1_000);
        s.end(() => {
          clearTimeout(t);
          r();
        });
      });
    },
  };
};
