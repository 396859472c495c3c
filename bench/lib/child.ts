/** Helpers for the benchmark's child processes: flags in, one READY line out. */
export function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

/** The parent waits for this line on stdout to learn the child's URL. */
export function ready(url: string): void {
  process.stdout.write(`READY ${url}\n`);
}
