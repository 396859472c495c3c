import { describe, expect, it } from 'vitest';
import { createSigV4 } from '../../../src/upstream/providers/sigv4.js';

/*
 * The published AWS Signature Version 4 test suite (aws-sig-v4-test-suite): the example credentials,
 * region us-east-1, service "service", 2015-08-30T12:36:00Z. Expected signatures are AWS's.
 */
const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const WHEN = new Date(Date.UTC(2015, 7, 30, 12, 36, 0));
const SCOPE = 'Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';

describe('SigV4 against the published test vectors', () => {
  const sign = createSigV4(CREDS, 'us-east-1', 'service');
  const base = { hostname: 'example.amazonaws.com', headers: { host: 'example.amazonaws.com' }, body: '' };

  it('get-vanilla', async () => {
    const h = await sign({ ...base, method: 'GET', path: '/' }, WHEN);
    expect(h['x-amz-date']).toBe('20150830T123600Z');
    expect(h.authorization).toBe(
      `AWS4-HMAC-SHA256 ${SCOPE}, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31`,
    );
  });

  it('post-vanilla', async () => {
    const h = await sign({ ...base, method: 'POST', path: '/' }, WHEN);
    expect(h.authorization).toContain(
      'Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
    );
  });

  it('get-vanilla-query-order-key-case', async () => {
    const h = await sign(
      { ...base, method: 'GET', path: '/', query: { Param2: 'value2', Param1: 'value1' } },
      WHEN,
    );
    expect(h.authorization).toContain(
      'Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    );
  });

  it('get-utf8 (the path is encoded once more, as for every non-S3 service)', async () => {
    const h = await sign({ ...base, method: 'GET', path: '/ሴ' }, WHEN);
    expect(h.authorization).toContain(
      'Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85',
    );
  });

  it('adds the session token of temporary credentials', async () => {
    const withToken = createSigV4({ ...CREDS, sessionToken: 'FQoGZXIvYXdzEXAMPLE' }, 'us-east-1', 'service');
    const h = await withToken({ ...base, method: 'POST', path: '/' }, WHEN);
    expect(h['x-amz-security-token']).toBe('FQoGZXIvYXdzEXAMPLE');
    expect(h.authorization).toContain('x-amz-security-token');
  });
});
