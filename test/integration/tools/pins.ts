import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { guardSchema } from '../../../src/config/schema/guard.js';
import { toolsSchema } from '../../../src/config/schema/tools.js';
import { createTextScanner } from '../../../src/guard/text-scanner.js';
import { signManifest } from '../../../src/tools/manifest/format.js';
import { pinTools } from '../../../src/tools/manifest/pin.js';

/** Pins the given tools config's servers as they are now, signs the manifest, writes key and manifest. */
export async function pinAndSign(
  tools: unknown,
): Promise<{ manifestPath: string; publicKeyPath: string; text: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gh-tools-pin-'));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const cfg = toolsSchema.parse(tools);
  const report = await pinTools(cfg, createTextScanner(guardSchema.parse({})), pino({ level: 'silent' }));
  const signed = signManifest(report.body, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const manifestPath = join(dir, 'tools.manifest.json');
  const publicKeyPath = join(dir, 'tools.pub.pem');
  const text = `${JSON.stringify(signed, null, 2)}\n`;
  writeFileSync(manifestPath, text);
  writeFileSync(publicKeyPath, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return { manifestPath, publicKeyPath, text };
}
