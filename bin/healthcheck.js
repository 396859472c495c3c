#!/usr/bin/env node
// Container health check: no shell or curl in the image, so node asks the loopback health port.
// Usage: healthcheck.js [URL]  (default GATEHOUSE_HEALTH_URL, else http://127.0.0.1:8081/health)
const { DEFAULT_HEALTH_URL, probeHealth } = await import(
  new URL('../dist/cli/healthcheck.js', import.meta.url).href
);
process.exitCode = await probeHealth(
  process.argv[2] ?? process.env.GATEHOUSE_HEALTH_URL ?? DEFAULT_HEALTH_URL,
);
