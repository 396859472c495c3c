import type { GatehouseConfig } from '../config/schema/index.js';

/**
 * A check's outcome. `not_configured`: the capability does not exist in this deployment (or this
 * build); never a pass. `skipped`: the audit was not given what the check needs (a target, a
 * credential, manifests); it gates only under `--strict`, like `not_configured`.
 */
export const VERDICTS = ['pass', 'fail', 'not_configured', 'not_applicable', 'skipped'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

/** Where the evidence comes from: the config (and lint), the running deployment, or the artifacts. */
export type CheckKind = 'static' | 'live' | 'reach' | 'artifact';

export interface Outcome {
  readonly verdict: Verdict;
  /** Short factual lines: what was sent or read, and what came back. Never a secret. */
  readonly evidence: readonly string[];
}

/** Inputs of one audit run. Everything optional is a part the operator may not give. */
export interface AuditInput {
  /** The validated config, or null when it did not validate (`configProblems` says why). */
  readonly config: Readonly<GatehouseConfig> | null;
  readonly configProblems: readonly string[];
  readonly configFile: string | null;
  readonly target: URL | null;
  /** A credential of a dedicated audit consumer, for the probes that must pass authentication. */
  readonly apiKey: string | null;
  /** Alias the probes call; default: the first route of the config. */
  readonly model: string | null;
  readonly upstreams: readonly URL[];
  /** Directory of Kubernetes manifests and the Dockerfile to check (deploy/ of this repository). */
  readonly manifests: string | null;
  readonly dockerfile: string | null;
  /** TLS toward the target: CA bundle (PEM), client certificate and key for mTLS listeners. */
  readonly tls: {
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly insecure: boolean;
  };
  /** Most requests the rate-limit probe sends before giving up (bounded). */
  readonly rateProbeMax: number;
  /** Per-probe network timeout. */
  readonly timeoutMs: number;
}

export interface CheckDef {
  /** Stable id: `<item>.<name>`, e.g. `CL-05.tls-legacy-refused`. */
  readonly id: string;
  /** Checklist item (src/preflight/checklist.ts). */
  readonly item: string;
  readonly title: string;
  readonly severity: Severity;
  readonly kind: CheckKind;
  run(input: AuditInput): Outcome | Promise<Outcome>;
}

export interface CheckResult {
  readonly id: string;
  readonly item: string;
  readonly title: string;
  /** The guide's wording of the checklist item. */
  readonly seed: string;
  readonly owasp: readonly string[];
  readonly severity: Severity;
  readonly kind: CheckKind;
  readonly verdict: Verdict;
  readonly evidence: readonly string[];
  readonly durationMs: number;
}

export interface AuditReport {
  readonly tool: { readonly name: 'gatehouse audit'; readonly version: string };
  readonly startedAt: string;
  readonly target: string | null;
  readonly config: string | null;
  readonly results: readonly CheckResult[];
  readonly summary: Readonly<Record<Verdict, number>>;
}

export const pass = (...evidence: string[]): Outcome => ({ verdict: 'pass', evidence });
export const fail = (...evidence: string[]): Outcome => ({ verdict: 'fail', evidence });
export const notConfigured = (...evidence: string[]): Outcome => ({ verdict: 'not_configured', evidence });
export const notApplicable = (...evidence: string[]): Outcome => ({ verdict: 'not_applicable', evidence });
export const skipped = (...evidence: string[]): Outcome => ({ verdict: 'skipped', evidence });

/** Pass when no problem was found; each problem is a line of evidence. */
export const verdictOf = (problems: readonly string[], okEvidence: readonly string[]): Outcome =>
  problems.length > 0 ? fail(...problems) : pass(...okEvidence);
