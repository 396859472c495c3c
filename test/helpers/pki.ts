import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Certificates generated per test run with the openssl CLI (EC P-256, short-lived). */
export interface Pki {
  readonly dir: string;
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** Client certificates signed by `clientCa`. */
  readonly clientCa: string;
  issueClient(
    name: string,
    opts?: { uri?: string; ca?: 'client' | 'other' },
  ): { cert: string; key: string; certPem: string; keyPem: string };
  readonly otherCa: string;
  read(path: string): string;
}

function ossl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function makeCa(dir: string, name: string): void {
  ossl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir);
  ossl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-sha256',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

function issue(dir: string, ca: string, name: string, subject: string, ext: string): void {
  ossl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir);
  ossl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
  writeFileSync(join(dir, `${name}.ext`), ext);
  ossl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

export function createPki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'gh-pki-'));
  makeCa(dir, 'server-ca');
  makeCa(dir, 'client-ca');
  makeCa(dir, 'other-ca');
  issue(
    dir,
    'server-ca',
    'server',
    '/CN=localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  return {
    dir,
    caCert: join(dir, 'server-ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCa: join(dir, 'client-ca.crt'),
    otherCa: join(dir, 'other-ca.crt'),
    issueClient(name, opts = {}) {
      const san = opts.uri ? `subjectAltName=URI:${opts.uri}\n` : '';
      issue(
        dir,
        opts.ca === 'other' ? 'other-ca' : 'client-ca',
        name,
        `/CN=${name}`,
        `${san}extendedKeyUsage=clientAuth\n`,
      );
      const cert = join(dir, `${name}.crt`);
      const key = join(dir, `${name}.key`);
      return { cert, key, certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
    },
    read: (p) => readFileSync(p, 'utf8'),
  };
}
