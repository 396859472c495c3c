import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import dnsPacket from 'dns-packet';

/** Answers A/AAAA queries from a fixed table on a loopback UDP port; NXDOMAIN for the rest. */
export interface DnsStub {
  readonly server: string;
  close(): Promise<void>;
}

export async function startDnsStub(
  table: Readonly<Record<string, { A?: string[]; AAAA?: string[] }>>,
): Promise<DnsStub> {
  const sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0];
    if (!question) return;
    const entry = table[question.name.toLowerCase()];
    const type = question.type;
    const addrs = type === 'A' || type === 'AAAA' ? (entry?.[type] ?? []) : [];
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (entry ? 0 : 3),
      questions: [question],
      answers: addrs.map((data) => ({
        type: type as 'A' | 'AAAA',
        name: question.name,
        ttl: 5,
        class: 'IN',
        data,
      })),
    });
    sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const a = sock.address() as AddressInfo;
  return {
    server: `127.0.0.1:${a.port}`,
    close: () => new Promise((r) => sock.close(() => r())),
  };
}
