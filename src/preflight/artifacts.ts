import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type CheckDef, skipped, verdictOf } from './types.js';

/**
 * Checks of the deployment artifacts (deploy/Dockerfile, deploy/kubernetes/*.yaml, or the
 * operator's own): what the container and the cluster are declared to enforce. The tests of deploy/
 * assert the same properties independently, so a regression in either fails CI.
 */
type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const at = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => obj(o)[k], v);

export function loadManifests(dir: string): Obj[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => {
        if (d.errors.length > 0) throw new Error(`${f}: ${d.errors[0]?.message}`);
        return obj(d.toJS());
      }),
    )
    .filter((d) => typeof d.kind === 'string');
}

const ofKind = (docs: readonly Obj[], kind: string): Obj[] => docs.filter((d) => d.kind === kind);
const nameOf = (d: Obj): string => String(at(d, 'metadata', 'name'));

/** Hadolint-style rules over a Dockerfile (the ones that matter for the guide's image hardening). */
export function dockerfileFindings(text: string): string[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const froms = lines.filter((l) => /^FROM\s/i.test(l));
  const out: string[] = [];
  if (froms.length < 2) out.push('not multi-stage (one FROM)');
  for (const f of froms) {
    const image = f.split(/\s+/)[1] ?? '';
    if (!/[:@]/.test(image) || /:latest\b/.test(image))
      out.push(`DL3006/DL3007: ${image} is not pinned to a tag or digest`);
  }
  const lastFrom = lines.findLastIndex((l) => /^FROM\s/i.test(l));
  const final = lines.slice(lastFrom);
  const finalImage = froms.at(-1)?.split(/\s+/)[1] ?? '';
  if (!/distroless/.test(finalImage))
    out.push(`final stage ${finalImage}: not a distroless base (shell and package manager present)`);
  if (final.some((l) => /^RUN\s/i.test(l)))
    out.push('final stage runs RUN (needs a shell the image must not have)');
  const user = final
    .filter((l) => /^USER\s/i.test(l))
    .at(-1)
    ?.split(/\s+/)[1];
  if (user === undefined) out.push('DL3002: final stage has no USER (runs as root)');
  else if (/^(root|0)(:|$)/.test(user)) out.push(`DL3002: final USER is ${user}`);
  else if (!/^\d+(:\d+)?$/.test(user))
    out.push(`USER ${user}: use a numeric uid so runAsNonRoot can verify it`);
  const hc = final.find((l) => /^HEALTHCHECK\s/i.test(l));
  if (hc === undefined) out.push('no HEALTHCHECK in the final stage');
  else if (!/CMD\s+\[\s*"[^"]*node"/.test(hc))
    out.push('HEALTHCHECK is not exec-form node (no shell or curl in the image)');
  for (const k of ['ENTRYPOINT', 'CMD'])
    for (const l of final.filter((x) => new RegExp(`^${k}\\s`, 'i').test(x)))
      if (!/^\w+\s+\[/.test(l)) out.push(`DL3025: ${k} in shell form`);
  const vols = final.filter((l) => /^VOLUME\s/i.test(l)).join(' ');
  if (!vols.includes('/tmp')) out.push('no VOLUME for /tmp (read-only root needs a writable tmp)');
  if (!/spool/.test(vols)) out.push('no VOLUME for the audit spool');
  if (lines.some((l) => /^ADD\s+https?:/i.test(l))) out.push('DL3020: ADD of a URL');
  if (lines.some((l) => /\bsudo\b/.test(l))) out.push('DL3004: sudo');
  return out;
}

export function containerFindings(docs: readonly Obj[]): string[] {
  const deps = ofKind(docs, 'Deployment');
  if (deps.length === 0) return ['no Deployment'];
  const out: string[] = [];
  for (const d of deps) {
    const n = nameOf(d);
    const pod = obj(at(d, 'spec', 'template', 'spec'));
    const psc = obj(pod.securityContext);
    if (psc.runAsNonRoot !== true) out.push(`${n}: pod runAsNonRoot not true`);
    if (typeof psc.runAsUser !== 'number' || psc.runAsUser === 0)
      out.push(`${n}: pod runAsUser missing or 0`);
    if (at(psc, 'seccompProfile', 'type') !== 'RuntimeDefault')
      out.push(`${n}: seccompProfile not RuntimeDefault`);
    if (pod.automountServiceAccountToken !== false) out.push(`${n}: service account token mounted`);
    for (const c of arr(pod.containers).map(obj)) {
      const cn = `${n}/${String(c.name)}`;
      const sc = obj(c.securityContext);
      if (sc.readOnlyRootFilesystem !== true) out.push(`${cn}: readOnlyRootFilesystem not true`);
      if (sc.allowPrivilegeEscalation !== false) out.push(`${cn}: allowPrivilegeEscalation not false`);
      if (sc.privileged === true) out.push(`${cn}: privileged`);
      if (!arr(at(sc, 'capabilities', 'drop')).includes('ALL'))
        out.push(`${cn}: capabilities not dropped (drop: [ALL])`);
      if (arr(at(sc, 'capabilities', 'add')).length > 0) out.push(`${cn}: capabilities added`);
      for (const kind of ['requests', 'limits'])
        for (const r of ['cpu', 'memory'])
          if (at(c, 'resources', kind, r) === undefined) out.push(`${cn}: resources.${kind}.${r} missing`);
      for (const p of ['livenessProbe', 'readinessProbe']) if (c[p] === undefined) out.push(`${cn}: no ${p}`);
    }
  }
  return out;
}

interface Policy {
  readonly name: string;
  readonly namespace: string;
  readonly selects: Obj;
  readonly types: readonly string[];
  readonly ingress: readonly Obj[];
  readonly egress: readonly Obj[];
}

export function policies(docs: readonly Obj[]): Policy[] {
  return ofKind(docs, 'NetworkPolicy').map((p) => ({
    name: nameOf(p),
    namespace: String(at(p, 'metadata', 'namespace') ?? 'default'),
    selects: obj(at(p, 'spec', 'podSelector', 'matchLabels')),
    types: arr(at(p, 'spec', 'policyTypes')).map(String),
    ingress: arr(at(p, 'spec', 'ingress')).map(obj),
    egress: arr(at(p, 'spec', 'egress')).map(obj),
  }));
}

/** The pod a policy applies to: by its `app` label, or every pod of the namespace. */
const appliesTo = (p: Policy, app: string): boolean => p.selects.app === undefined || p.selects.app === app;

/** Seed zones: model endpoint → nothing; tool servers → egress proxy only; a default deny per namespace. */
export function networkFindings(docs: readonly Obj[]): string[] {
  const ps = policies(docs);
  const out: string[] = [];
  if (ps.length === 0) return ['no NetworkPolicy'];
  const model = ps.filter((p) => appliesTo(p, 'model-endpoint') && p.namespace === 'gatehouse-model');
  if (!model.some((p) => p.types.includes('Egress') && p.egress.length === 0))
    out.push('model endpoint: no policy denying all egress');
  if (model.some((p) => p.egress.length > 0)) out.push('model endpoint: a policy allows egress');
  const tools = ps.filter((p) => p.namespace === 'gatehouse-tools');
  if (!tools.some((p) => p.types.includes('Egress'))) out.push('tool servers: egress not restricted');
  for (const p of tools)
    for (const e of p.egress)
      for (const to of arr(e.to).map(obj)) {
        const app = at(to, 'podSelector', 'matchLabels', 'app');
        const ns = at(to, 'namespaceSelector', 'matchLabels', 'kubernetes.io/metadata.name');
        if (app !== 'egress-proxy' && ns !== 'kube-system')
          out.push(`tool servers: ${p.name} allows egress to ${JSON.stringify(to)}`);
      }
  for (const ns of ['gatehouse', 'gatehouse-model', 'gatehouse-tools'])
    if (!ps.some((p) => p.namespace === ns && Object.keys(p.selects).length === 0 && p.types.length === 2))
      out.push(`${ns}: no default-deny policy`);
  return out;
}

function artifactCheck(
  def: Omit<CheckDef, 'run' | 'kind'>,
  run: (docs: Obj[], dockerfile: string | null) => string[],
  ok: string,
): CheckDef {
  return {
    ...def,
    kind: 'artifact',
    run: (input) => {
      if (input.manifests === null) return skipped('no --manifests given');
      if (!existsSync(input.manifests)) return verdictOf([`${input.manifests}: not found`], []);
      const docker =
        input.dockerfile !== null && existsSync(input.dockerfile)
          ? readFileSync(input.dockerfile, 'utf8')
          : null;
      return verdictOf(run(loadManifests(input.manifests), docker), [ok]);
    },
  };
}

export const ARTIFACT_CHECKS: readonly CheckDef[] = [
  artifactCheck(
    {
      id: 'CL-10.container-hardening',
      item: 'CL-10',
      title: 'non-root, read-only root, no capabilities, distroless',
      severity: 'high',
    },
    (docs, docker) => [
      ...containerFindings(docs),
      ...(docker === null
        ? ['no --dockerfile given']
        : dockerfileFindings(docker).map((f) => `Dockerfile: ${f}`)),
    ],
    'Deployment and Dockerfile: non-root, read-only root filesystem, ALL capabilities dropped, seccomp RuntimeDefault, distroless',
  ),
  artifactCheck(
    {
      id: 'CL-11.model-endpoint-no-egress',
      item: 'CL-11',
      title: 'model endpoint has no outbound network access',
      severity: 'high',
    },
    (docs) =>
      networkFindings(docs).filter((f) => f.startsWith('model endpoint') || f.startsWith('tool servers')),
    'model endpoint: egress denied; tool servers: egress proxy only',
  ),
  artifactCheck(
    {
      id: 'CL-15.network-policies',
      item: 'CL-15',
      title: 'zone network policies declared and checked',
      severity: 'medium',
    },
    (docs) => networkFindings(docs),
    'default deny in every zone namespace; zone policies present (checked by this audit in the pipeline)',
  ),
];
