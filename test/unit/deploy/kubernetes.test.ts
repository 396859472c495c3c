import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describe, expect, it } from 'vitest';
import { lintReport } from '../../../src/boot/lint.js';
import { parseConfigText } from '../../../src/config/load.js';
import { containerFindings, loadManifests, networkFindings } from '../../../src/preflight/artifacts.js';

/**
 * deploy/kubernetes: every object validates against the Kubernetes OpenAPI schema (kubernetes-models,
 * the kubeconform equivalent available from npm), and every hardening property the guide asks for is
 * asserted here on its own, so a regression in the manifests fails CI.
 */
// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, asserted field by field below
type Obj = Record<string, any>;
const DIR = join(import.meta.dirname, '../../../deploy/kubernetes');
const docs = loadManifests(DIR) as Obj[];
const all = (kind: string): Obj[] => docs.filter((d) => d.kind === kind);
const one = (kind: string, name: string, ns = 'gatehouse'): Obj => {
  const d = docs.find(
    (x) => x.kind === kind && x.metadata.name === name && (x.metadata.namespace ?? ns) === ns,
  );
  if (d === undefined) throw new Error(`no ${kind} ${ns}/${name}`);
  return d;
};

// biome-ignore lint/suspicious/noExplicitAny: each model class takes its own object type
const MODELS: Readonly<Record<string, new (d: any) => { validate(): void }>> = {
  Namespace,
  ServiceAccount,
  ConfigMap,
  Deployment,
  Service,
  NetworkPolicy,
  PodDisruptionBudget,
  HorizontalPodAutoscaler,
};

const deployment = one('Deployment', 'gatehouse');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const gatehouseYaml = parseConfigText(one('ConfigMap', 'gatehouse-config').data['gatehouse.yaml']);

describe('deploy/kubernetes: schema', () => {
  it('every object is a known kind and validates against the Kubernetes schema', () => {
    expect(docs.length).toBeGreaterThan(10);
    for (const d of docs) {
      const Model = MODELS[d.kind];
      expect(Model, `${d.kind} has no schema model here`).toBeDefined();
      if (Model !== undefined)
        expect(() => new Model(d).validate(), `${d.kind} ${d.metadata.name}`).not.toThrow();
    }
  });

  it('the schema check catches a broken object', () => {
    const bad = structuredClone(deployment);
    bad.spec.replicas = 'three';
    expect(() => new Deployment(bad).validate()).toThrow();
  });

  it('the ConfigMap holds a gatehouse.yaml that validates and lints clean', () => {
    expect(lintReport(gatehouseYaml).errors).toEqual([]);
    expect(gatehouseYaml.store.kind).toBe('redis');
    expect(gatehouseYaml.telemetry.spool.dir).toBe('/var/lib/gatehouse/spool');
    expect(gatehouseYaml.proxy.trusted.length).toBeGreaterThan(0);
  });
});

describe('deploy/kubernetes: the gateway pod', () => {
  it('runs as non-root with seccomp RuntimeDefault and no service account token', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('has a read-only root filesystem, no privilege escalation, every capability dropped', () => {
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.securityContext.capabilities.add).toBeUndefined();
  });

  it('writes only to declared volumes: the spool and /tmp', () => {
    const writable = container.volumeMounts
      .filter((m: Obj) => m.readOnly !== true)
      .map((m: Obj) => m.mountPath);
    expect(writable.sort()).toEqual(['/tmp', '/var/lib/gatehouse/spool']);
    const vols = Object.fromEntries(pod.volumes.map((v: Obj) => [v.name, v]));
    expect(vols.spool.emptyDir.sizeLimit).toBeDefined();
    expect(vols.tmp.emptyDir.sizeLimit).toBeDefined();
  });

  it('sets resource requests and limits', () => {
    for (const k of ['requests', 'limits'])
      for (const r of ['cpu', 'memory']) expect(container.resources[k][r]).toBeDefined();
  });

  it('probes the health port from inside the pod (no shell, no curl in the image)', () => {
    const health = `http://127.0.0.1:${gatehouseYaml.health.port}`;
    expect(gatehouseYaml.health.host).toBe('127.0.0.1');
    for (const p of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const cmd: string[] = container[p].exec.command;
      expect(cmd.slice(0, 2)).toEqual(['/nodejs/bin/node', '/app/bin/healthcheck.js']);
      // The default URL of bin/healthcheck.js is the health port's /health.
      if (cmd[2] !== undefined) expect(cmd[2].startsWith(health)).toBe(true);
    }
    expect(gatehouseYaml.health.port).toBe(8081);
  });

  it('matches what the audit checks', () => {
    expect(containerFindings(docs)).toEqual([]);
    expect(networkFindings(docs)).toEqual([]);
  });

  it('the audit catches a weakened Deployment', () => {
    const weak = structuredClone(docs);
    const d = weak.find((x) => x.kind === 'Deployment') as Obj;
    d.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
    d.spec.template.spec.securityContext.runAsNonRoot = false;
    delete d.spec.template.spec.containers[0].resources.limits;
    expect(containerFindings(weak)).toEqual([
      'gatehouse: pod runAsNonRoot not true',
      'gatehouse/gatehouse: readOnlyRootFilesystem not true',
      'gatehouse/gatehouse: resources.limits.cpu missing',
      'gatehouse/gatehouse: resources.limits.memory missing',
    ]);
  });
});

describe('deploy/kubernetes: services, availability, Redis', () => {
  it('exposes only the data port', () => {
    const svc = one('Service', 'gatehouse');
    expect(svc.spec.ports.map((p: Obj) => p.targetPort)).toEqual(['https']);
    expect(container.ports.find((p: Obj) => p.name === 'https').containerPort).toBe(
      gatehouseYaml.server.port,
    );
    for (const s of all('Service'))
      for (const p of s.spec.ports ?? []) expect([8081, 9464, 'metrics']).not.toContain(p.targetPort);
  });

  it('has a PodDisruptionBudget that still lets a node drain, and an HPA on the Deployment', () => {
    const pdb = one('PodDisruptionBudget', 'gatehouse');
    const hpa = one('HorizontalPodAutoscaler', 'gatehouse');
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gatehouse' });
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
  });

  it('treats Redis as an external dependency reached by name, its URL from a Secret', () => {
    expect(one('Service', 'redis').spec.type).toBe('ExternalName');
    const env = container.env.find((e: Obj) => e.name === 'REDIS_URL');
    expect(env.valueFrom.secretKeyRef).toEqual({ name: 'gatehouse-redis', key: 'url' });
    expect(gatehouseYaml.store).toMatchObject({ kind: 'redis', url: '${REDIS_URL}' });
  });
});

describe('deploy/kubernetes: network zones', () => {
  const np = (name: string, ns: string) => one('NetworkPolicy', name, ns).spec;

  it('denies everything by default in every zone namespace', () => {
    for (const ns of ['gatehouse', 'gatehouse-model', 'gatehouse-tools'])
      expect(np('default-deny', ns)).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('consumers reach the gateway data port only; metrics only from the logging namespace', () => {
    const ing = np('gatehouse-ingress', 'gatehouse').ingress;
    expect(ing).toHaveLength(2);
    expect(ing[0].ports).toEqual([{ protocol: 'TCP', port: 8443 }]);
    expect(ing[0].from[0].namespaceSelector.matchExpressions[0]).toEqual({
      key: 'gatehouse.io/zone',
      operator: 'In',
      values: ['consumer', 'edge'],
    });
    expect(ing[1]).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'logging' } } }],
      ports: [{ protocol: 'TCP', port: 9464 }],
    });
  });

  it('the gateway reaches the model endpoint, Redis, the SIEM and DNS, nothing else', () => {
    const eg = np('gatehouse-egress', 'gatehouse').egress;
    expect(eg[0].to[0]).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gatehouse-model' } },
      podSelector: { matchLabels: { app: 'model-endpoint' } },
    });
    expect(eg.flatMap((e: Obj) => e.ports.map((p: Obj) => p.port))).toEqual([8000, 6379, 6514, 53, 53]);
  });

  it('the model endpoint is reached by the gateway only and reaches nothing', () => {
    const m = np('model-endpoint', 'gatehouse-model');
    expect(m.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(m.egress).toEqual([]);
    expect(m.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gatehouse' } },
            podSelector: { matchLabels: { app: 'gatehouse' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 8000 }],
      },
    ]);
    // Its metrics policy admits the logging namespace only and opens no egress.
    const metrics = np('model-endpoint-metrics', 'gatehouse-model');
    expect(metrics.policyTypes).toEqual(['Ingress']);
    expect(metrics.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'logging' } } },
    ]);
  });

  it('tool servers reach the egress proxy only (and DNS to find it)', () => {
    const t = np('tools-egress-proxy-only', 'gatehouse-tools');
    expect(t.podSelector).toEqual({});
    expect(t.egress.map((e: Obj) => e.to[0])).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gatehouse-egress' } },
        podSelector: { matchLabels: { app: 'egress-proxy' } },
      },
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      },
    ]);
  });

  it('enforces Pod Security "restricted" on every namespace', () => {
    for (const ns of all('Namespace'))
      expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('the audit catches a model endpoint allowed out', () => {
    const weak = structuredClone(docs);
    const m = weak.find((x) => x.kind === 'NetworkPolicy' && x.metadata.name === 'model-endpoint') as Obj;
    m.spec.egress = [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }];
    expect(networkFindings(weak)).toContain('model endpoint: a policy allows egress');
  });
});
