// `npm run build`: the console's static files (HTML, CSS, JS; no bundler, no CDN) beside the
// compiled admin module, where src/admin/console.ts reads them at boot.
import { cpSync } from 'node:fs';

cpSync(
  new URL('../src/admin/console/', import.meta.url),
  new URL('../dist/admin/console/', import.meta.url),
  {
    recursive: true,
  },
);
