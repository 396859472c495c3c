import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/*
 * An independent SigV4 verifier for the fake Bedrock: recomputes the signature from the bytes the
 * fake received (method, raw path, headers, body), written from the AWS documentation with
 * node:crypto only, so a signer bug cannot hide behind its own verification.
 */

const hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string): Buffer =>
  createHmac('sha256', key).update(s, 'utf8').digest();

/** RFC 3986 encoding of each path segment, applied to the path as received (AWS's double encoding). */
const canonicalUri = (path: string): string =>
  path
    .split('/')
    .map((seg) =>
      encodeURIComponent(seg).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');

export interface SigV4Check {
  readonly ok: boolean;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: string[];
}

export function verifySigV4(
  method: string,
  rawUrl: string,
  headers: IncomingHttpHeaders,
  body: string,
  secretAccessKey: string,
): SigV4Check {
  const auth = String(headers.authorization ?? '');
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (m === null) return { ok: false, region: '', service: '', signedHeaders: [] };
  const [, , date = '', region = '', service = '', signed = '', signature = ''] = m;
  const names = signed.split(';');
  const [path = '', query = ''] = rawUrl.split('?');
  const canonicalQuery = query
    .split('&')
    .filter((p) => p !== '')
    .sort()
    .join('&');
  const canonicalHeaders = names.map((n) => `${n}:${String(headers[n] ?? '').trim()}\n`).join('');
  const creq = [method, canonicalUri(path), canonicalQuery, canonicalHeaders, signed, hex(body)].join('\n');
  const amzDate = String(headers['x-amz-date'] ?? '');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const sts = ['AWS4-HMAC-SHA256', amzDate, scope, hex(creq)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  return { ok: hmac(key, sts).toString('hex') === signature, region, service, signedHeaders: names };
}
