/**
 * Writes the generated SOC docs from the code's tables: docs/owasp.md (whole) and the OWASP and
 * alert tables inside docs/soc.md. Run after changing src/telemetry/owasp.ts, a signal or a default:
 *   npx tsx scripts/render-soc-docs.ts
 * test/unit/telemetry/soc-docs.test.ts fails until the docs match.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  GENERATED,
  renderAlertTable,
  renderOwaspDoc,
  renderOwaspTable,
  replaceGenerated,
} from '../src/telemetry/soc-docs.js';

writeFileSync('docs/owasp.md', renderOwaspDoc());
let soc = readFileSync('docs/soc.md', 'utf8');
soc = replaceGenerated(soc, GENERATED.owaspTable, renderOwaspTable());
soc = replaceGenerated(soc, GENERATED.alertTable, renderAlertTable());
writeFileSync('docs/soc.md', soc);
process.stdout.write('docs/owasp.md and docs/soc.md rendered\n');
