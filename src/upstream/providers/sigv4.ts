import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SigV4Request {
  readonly method: string;
  readonly hostname: string;
  readonly port?: number;
  /** The path as sent (already percent-encoded); SigV4 encodes it once more for non-S3 services. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * AWS Signature Version 4 through Smithy's signer (the one the AWS SDK uses): returns the headers to
 * add (`authorization`, `x-amz-date`, `x-amz-security-token`). Only the headers given are signed;
 * the caller passes `host` and `content-type`, the ones an intermediary must not change.
 */
export function createSigV4(creds: AwsCredentials, region: string, service: string) {
  const signer = new SignatureV4({
    credentials: creds,
    region,
    service,
    sha256: Sha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  return async (req: SigV4Request, signingDate?: Date): Promise<Record<string, string>> => {
    const signed = await signer.sign(
      {
        method: req.method,
        protocol: 'https:',
        hostname: req.hostname,
        ...(req.port === undefined ? {} : { port: req.port }),
        path: req.path,
        query: { ...req.query },
        headers: { ...req.headers },
        body: req.body,
      },
      signingDate === undefined ? {} : { signingDate },
    );
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) {
      const name = k.toLowerCase();
      if (name === 'authorization' || name.startsWith('x-amz-')) out[name] = v;
    }
    return out;
  };
}
