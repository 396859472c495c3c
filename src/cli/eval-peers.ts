/**
 * The npm peers the evaluation compares against, run on the same rows. They are dev dependencies,
 * loaded lazily so a production install without them still runs `gatehouse eval` (peers are then
 * reported as unavailable). None of them downloads anything at run time: llm_guardrail reads its
 * bundled JSON models, vard and redact-pii's SyncRedactor are regex sets (redact-pii's Google DLP
 * redactor is async-only and never constructed here), eslint-plugin-no-secrets and secretlint's
 * recommended preset are local rules.
 */
export type EvalTask = 'injection' | 'pii' | 'secrets';

export interface Peer {
  readonly name: string;
  /** true = the peer flags the text. */
  readonly detect: (text: string) => Promise<boolean> | boolean;
}

type Loader = () => Promise<Peer>;

const PEERS: Readonly<Record<EvalTask, readonly Loader[]>> = {
  injection: [
    async () => {
      const m = (await import('llm_guardrail' as string)) as unknown as {
        checkInjection(t: string): Promise<{ detected: boolean }>;
        checkJailbreak(t: string): Promise<{ detected: boolean }>;
      };
      return {
        name: 'llm_guardrail (injection or jailbreak)',
        detect: async (t) => (await m.checkInjection(t)).detected || (await m.checkJailbreak(t)).detected,
      };
    },
    async () => {
      const m = (await import('@andersmyrmel/vard')) as unknown as {
        vard: { safe(t: string): { safe: boolean } };
      };
      return { name: '@andersmyrmel/vard (default)', detect: (t) => !m.vard.safe(t).safe };
    },
  ],
  pii: [
    async () => {
      const m = (await import('redact-pii')) as unknown as {
        SyncRedactor: new () => { redact(t: string): string };
      };
      const r = new m.SyncRedactor();
      return { name: 'redact-pii (SyncRedactor)', detect: (t) => r.redact(t) !== t };
    },
  ],
  secrets: [
    async () => {
      const { Linter } = (await import('eslint')) as unknown as {
        Linter: new (o: {
          configType: 'flat';
        }) => { verify(code: string, config: unknown[]): Array<{ ruleId: string | null }> };
      };
      // A CommonJS module compiled from TypeScript: depending on the loader the plugin object is the
      // namespace itself, its `default`, or `default.default`.
      type Mod = { rules?: unknown; default?: Mod };
      const mod = (await import('eslint-plugin-no-secrets')) as Mod;
      const plugin = [mod, mod.default, mod.default?.default].find((m) => m?.rules !== undefined);
      const linter = new Linter({ configType: 'flat' });
      const config = [{ plugins: { 'no-secrets': plugin }, rules: { 'no-secrets/no-secrets': 'error' } }];
      return {
        name: 'eslint-plugin-no-secrets',
        detect: (t) =>
          linter
            .verify(`const s = ${JSON.stringify(t)};\n`, config)
            .some((m) => m.ruleId === 'no-secrets/no-secrets'),
      };
    },
    async () => {
      // @secretlint/core is what the `secretlint` CLI runs on each file; installed with `secretlint`.
      const core = (await import('@secretlint/core' as string)) as {
        lintSource(o: unknown): Promise<{ messages: unknown[] }>;
      };
      const preset = ((await import('@secretlint/secretlint-rule-preset-recommend')) as { creator: unknown })
        .creator;
      const config = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: preset }] };
      return {
        name: 'secretlint (preset-recommend)',
        detect: async (t) =>
          (
            await core.lintSource({
              source: { content: t, filePath: '/input.txt', ext: '.txt', contentType: 'text' },
              options: { config, noPhysicFilePath: true },
            })
          ).messages.length > 0,
      };
    },
  ],
};

/** The peers of a task that load in this install; failures are reported by name. */
export async function loadPeers(task: EvalTask): Promise<{ peers: Peer[]; unavailable: string[] }> {
  const peers: Peer[] = [];
  const unavailable: string[] = [];
  for (const load of PEERS[task]) {
    try {
      peers.push(await load());
    } catch (err) {
      unavailable.push((err as Error).message);
    }
  }
  return { peers, unavailable };
}
