import { z } from 'zod';

const MiB = 1024 * 1024;

const runtimeSchema = z
  .object({
    /** Absolute path of the interpreter; its install prefix is bound read-only when outside /usr. */
    binary: z.string().startsWith('/'),
  })
  .strict();

/**
 * The code-execution sandbox (docs/sandbox.md). Every run is a fresh bubblewrap container with no
 * network, a tmpfs work dir and hard limits; nothing here can loosen the namespaces.
 */
export const sandboxSchema = z
  .object({
    bwrap: z.string().startsWith('/').default('/usr/bin/bwrap'),
    prlimit: z.string().startsWith('/').default('/usr/bin/prlimit'),
    /**
     * The host user the sandbox runs as when Gatehouse runs as root (root's process count is never
     * limited by the kernel, so a fork bomb would not stop). Ignored when not root.
     */
    runAsUid: z.number().int().min(1).default(65534),
    runAsGid: z.number().int().min(1).default(65534),
    runtimes: z
      .object({
        python: runtimeSchema.prefault({ binary: '/usr/bin/python3' }),
        node: runtimeSchema.prefault({ binary: '/usr/bin/node' }),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        wallMs: z.number().int().min(100).max(300_000).default(10_000),
        cpuSeconds: z.number().int().min(1).max(300).default(5),
        /** Address space; Node needs more than Python (V8 reserves), so keep ≥ 512 MiB with node. */
        memoryBytes: z
          .number()
          .int()
          .min(64 * MiB)
          .default(768 * MiB),
        processes: z.number().int().min(1).max(1024).default(32),
        fileBytes: z
          .number()
          .int()
          .min(0)
          .default(4 * MiB),
        openFiles: z.number().int().min(16).max(4096).default(64),
        /** stdout and stderr each; the run is killed when one passes it. */
        outputBytes: z
          .number()
          .int()
          .min(1_024)
          .max(16 * MiB)
          .default(64 * 1024),
        codeBytes: z
          .number()
          .int()
          .min(1)
          .max(1 * MiB)
          .default(64 * 1024),
        stdinBytes: z
          .number()
          .int()
          .min(0)
          .max(16 * MiB)
          .default(64 * 1024),
        /** Runs at once in this process; more wait their turn. */
        concurrency: z.number().int().min(1).max(256).default(4),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type SandboxConfig = z.infer<typeof sandboxSchema>;
export type SandboxLanguage = keyof SandboxConfig['runtimes'];
