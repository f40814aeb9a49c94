import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAlerterConfig } from '@vigie/alerter';
import { configKeys, DEFAULT_OPS_PORTS, loadConfig, redactConfig, type VigieConfig } from '@vigie/common';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  type Container,
  kubeconform,
  loadResources,
  MANIFESTS_DIR,
  manifestFiles,
  type PodTemplate,
  type Resource,
} from './kubernetes-manifests.js';

// No cluster runs here: kubeconform checks the manifests against Kubernetes' own schemas
// (deploy/kubernetes/tools.sh builds both), and these tests check Vigie's rules on them.
const resources = loadResources();
const workloads = resources.filter((r) => r.kind === 'Deployment' || r.kind === 'DaemonSet');
const template = (workload: Resource): PodTemplate => {
  const pod = workload.spec?.template;
  if (!pod) throw new Error(`${workload.metadata.name} has no pod template`);
  return pod;
};
const roleOf = (container: Container) => container.command?.[1] ?? '';
const compose = parse(readFileSync(join(MANIFESTS_DIR, '../docker-compose.yml'), 'utf8')) as {
  services: Record<string, { image?: string; environment?: Record<string, string> }>;
};

const scratch = mkdtempSync(join(tmpdir(), 'vigie-k8s-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const configMap = resources.find((r) => r.kind === 'ConfigMap' && r.metadata.name === 'vigie-config');
const configFile = join(scratch, 'vigie.yaml');
writeFileSync(configFile, configMap?.data?.['vigie.yaml'] ?? '');

/** The configuration a container starts with: the ConfigMap and its literal variables (no secret). */
function containerConfig(container: Container): { config: VigieConfig; warnings: string[] } {
  const env = Object.fromEntries(
    (container.env ?? []).flatMap((v) => (v.value === undefined ? [] : [[v.name, v.value]])),
  );
  return loadConfig({ env: { ...env, VIGIE_CONFIG: configFile }, file: configFile });
}
const secretRef = (container: Container, name: string) =>
  container.env?.find((v) => v.name === name)?.valueFrom?.secretKeyRef;

describe('deploy/kubernetes', () => {
  it('lists every manifest in kustomization.yaml', () => {
    const kustomization = parse(readFileSync(join(MANIFESTS_DIR, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
    };
    expect([...kustomization.resources].sort()).toEqual(manifestFiles());
    expect(workloads.map((w) => `${w.kind}/${w.metadata.name}`).sort()).toEqual([
      'DaemonSet/vigie-collector-node',
      'Deployment/vigie-alerter',
      'Deployment/vigie-api',
      'Deployment/vigie-collector-intake',
      'Deployment/vigie-processor',
    ]);
  });

  it('passes kubeconform -strict against the schemas of the pinned Kubernetes version', () => {
    const { exitCode, verdicts } = kubeconform(manifestFiles().map((file) => join(MANIFESTS_DIR, file)));
    expect(verdicts.filter((v) => v.status !== 'statusValid')).toEqual([]);
    expect(verdicts).toHaveLength(resources.length);
    expect(exitCode).toBe(0);
  });

  it('has kubeconform refuse a wrong field type and an unknown field', () => {
    const processor = workloads.find((w) => w.metadata.name === 'vigie-processor') as Resource;
    const broken = (name: string, change: (copy: Resource) => void) => {
      const copy = structuredClone(processor);
      change(copy);
      const path = join(scratch, `${name}.yaml`);
      writeFileSync(path, stringify(copy));
      return path;
    };
    const wrongType = broken('wrong-type', (copy) => {
      Object.assign(copy.spec ?? {}, { replicas: 'three' });
    });
    const unknownField = broken('unknown-field', (copy) => {
      Object.assign(template(copy).spec.containers[0]?.livenessProbe?.httpGet ?? {}, { pathh: '/health' });
    });
    const { exitCode, verdicts } = kubeconform([wrongType, unknownField]);
    expect(exitCode).toBe(1);
    const verdictOf = (path: string) => verdicts.find((v) => v.filename === path);
    expect(verdictOf(wrongType)?.status).toBe('statusInvalid');
    expect(verdictOf(wrongType)?.msg).toContain("at '/spec/replicas': got string, want null or integer");
    expect(verdictOf(unknownField)?.status).toBe('statusInvalid');
    expect(verdictOf(unknownField)?.msg).toContain("additional properties 'pathh' not allowed");
  });

  it('runs every role from the compose file image', () => {
    const roles = workloads.flatMap((w) => template(w).spec.containers.map(roleOf)).sort();
    expect(roles).toEqual(['alerter', 'api', 'collector', 'collector', 'processor']);
    for (const workload of workloads)
      for (const container of [
        ...(template(workload).spec.initContainers ?? []),
        ...template(workload).spec.containers,
      ])
        expect(container.image).toBe(compose.services.processor?.image);
  });

  it('gives every container CPU and memory requests and a memory limit', () => {
    for (const workload of workloads)
      for (const container of [
        ...(template(workload).spec.initContainers ?? []),
        ...template(workload).spec.containers,
      ]) {
        expect(container.resources?.requests, container.name).toEqual({
          cpu: expect.any(String),
          memory: expect.any(String),
        });
        expect(container.resources?.limits?.memory, container.name).toEqual(expect.any(String));
      }
  });

  it('probes /health and /ready on the ops port, which Prometheus scrapes', () => {
    for (const workload of workloads) {
      const pod = template(workload);
      for (const container of pod.spec.containers) {
        const role = roleOf(container);
        const { config } = containerConfig(container);
        const port = container.ports?.find((p) => p.name === 'ops')?.containerPort;
        expect(container.livenessProbe?.httpGet, workload.metadata.name).toEqual({
          path: '/health',
          port: 'ops',
        });
        expect(container.readinessProbe?.httpGet, workload.metadata.name).toEqual({
          path: '/ready',
          port: 'ops',
        });
        // The API's own port, which its Service targets, is the one it listens on.
        if (role === 'api')
          expect(container.ports?.find((p) => p.name === 'http')?.containerPort).toBe(config.api.port);
        expect(port).toBe(config.ops.port ?? DEFAULT_OPS_PORTS[role as keyof typeof DEFAULT_OPS_PORTS]);
        expect(config.ops.host).toBe('0.0.0.0');
        expect(pod.metadata.annotations, workload.metadata.name).toEqual({
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': String(port),
          'prometheus.io/path': '/metrics',
        });
      }
    }
  });

  it('runs as a user on a read-only root filesystem, without capabilities', () => {
    for (const workload of workloads) {
      const pod = template(workload);
      expect(pod.spec.securityContext?.runAsNonRoot, workload.metadata.name).toBe(true);
      expect(pod.spec.securityContext?.runAsUser).toBeGreaterThan(0);
      for (const container of pod.spec.containers) {
        expect(container.securityContext).toEqual({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
      }
      // The one root container hands a hostPath folder to the collector's user, nothing more.
      for (const init of pod.spec.initContainers ?? []) {
        expect(init.command?.[0]).toBe('chown');
        expect(init.securityContext?.capabilities).toEqual({ drop: ['ALL'], add: ['CHOWN'] });
        expect(init.securityContext?.readOnlyRootFilesystem).toBe(true);
        expect(init.securityContext?.allowPrivilegeEscalation).toBe(false);
      }
    }
  });

  it('takes every secret from a Secret, none written in a manifest', () => {
    const secretVariables = new Set(configKeys().flatMap((key) => (key.schema.secret ? [key.env] : [])));
    // Receivers are a list whose entries hold routing keys and webhook URLs.
    secretVariables.add('VIGIE_ALERTER_RECEIVERS');
    for (const workload of workloads)
      for (const container of template(workload).spec.containers) {
        for (const variable of container.env ?? [])
          if (secretVariables.has(variable.name))
            expect(variable.valueFrom?.secretKeyRef?.name, variable.name).toBe('vigie-secrets');
        // What the ConfigMap and the literal variables set holds no secret the config knows of.
        expect(JSON.stringify(redactConfig(containerConfig(container).config))).not.toContain('[redacted]');
      }
  });

  it('gives each role a configuration that loads, with its writable folders mounted', () => {
    for (const workload of workloads) {
      const pod = template(workload);
      for (const container of pod.spec.containers) {
        const { config, warnings } = containerConfig(container);
        expect(warnings).toEqual([]);
        const mountOf = (path: string) =>
          container.volumeMounts?.find((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`));
        const volumeOf = (path: string) => pod.spec.volumes?.find((v) => v.name === mountOf(path)?.name);
        const configPath = container.env?.find((v) => v.name === 'VIGIE_CONFIG')?.value ?? '';
        expect(volumeOf(configPath)?.configMap?.name).toBe('vigie-config');
        const role = roleOf(container);
        if (role === 'collector') {
          expect(mountOf(config.collector.dataDir)?.readOnly).toBeUndefined();
          expect(volumeOf(config.collector.dataDir)).toBeDefined();
        }
        if (role === 'alerter') expect(checkAlerterConfig(config.alerter).problems).toEqual([]);
        if (role === 'api') {
          expect(volumeOf(config.api.keysFile)?.secret?.secretName).toBe('vigie-api-keys');
          expect(config.api.auditFile).toBe('');
        }
      }
    }
  });

  it('follows the node log files from a read-only /var/log, and listens on the intake collector only', () => {
    const byName = (name: string) => template(workloads.find((w) => w.metadata.name === name) as Resource);
    const node = byName('vigie-collector-node');
    const nodeCollector = node.spec.containers[0] as Container;
    const nodeConfig = containerConfig(nodeCollector).config.collector;
    expect(nodeConfig.http.enabled).toBe(false);
    expect(nodeConfig.syslog.enabled).toBe(false);
    expect(nodeConfig.files.length).toBeGreaterThan(0);
    const varLog = nodeCollector.volumeMounts?.find((m) => m.mountPath === '/var/log');
    expect(varLog?.readOnly).toBe(true);
    expect(node.spec.volumes?.find((v) => v.name === varLog?.name)?.hostPath?.path).toBe('/var/log');
    for (const file of nodeConfig.files) for (const path of file.paths) expect(path).toMatch(/^\/var\/log\//);
    // Checkpoints outlive the pod, on the node.
    expect(node.spec.volumes?.find((v) => v.name === 'data')?.hostPath?.path).toBe(nodeConfig.dataDir);

    const intake = byName('vigie-collector-intake').spec.containers[0] as Container;
    const intakeConfig = containerConfig(intake).config.collector;
    expect(intakeConfig.files).toEqual([]);
    expect(intakeConfig.http).toMatchObject({ enabled: true, host: '0.0.0.0' });
    expect(intakeConfig.syslog).toMatchObject({ enabled: true, host: '0.0.0.0' });
    // Beyond loopback the HTTP source refuses to start without a token: the Secret must hold one.
    expect(secretRef(intake, 'VIGIE_COLLECTOR_HTTP_TOKEN')).toEqual({
      name: 'vigie-secrets',
      key: 'collector-http-token',
    });
  });

  it('scales the processor up to the partition count, with the compose file heap cap', () => {
    const processor = workloads.find((w) => w.metadata.name === 'vigie-processor') as Resource;
    const container = template(processor).spec.containers[0] as Container;
    const { config } = containerConfig(container);
    expect(processor.spec?.replicas).toBeGreaterThan(1);
    expect(processor.spec?.replicas).toBeLessThanOrEqual(config.kafka.partitions);
    // A rolling update must not add a consumer past the partition count either.
    const strategy = (processor.spec as { strategy?: { rollingUpdate?: { maxSurge?: number } } }).strategy;
    expect(strategy?.rollingUpdate?.maxSurge).toBe(0);
    expect(container.env?.find((v) => v.name === 'NODE_OPTIONS')?.value).toBe(
      compose.services.processor?.environment?.NODE_OPTIONS,
    );
  });

  it('points every Service at ports its pods name', () => {
    for (const service of resources.filter((r) => r.kind === 'Service')) {
      const spec = service.spec as unknown as {
        selector: Record<string, string>;
        ports: Array<{ targetPort: string; protocol?: string }>;
      };
      const pods = workloads
        .map(template)
        .filter((pod) => Object.entries(spec.selector).every(([k, v]) => pod.metadata.labels[k] === v));
      expect(pods, service.metadata.name).toHaveLength(1);
      const named = pods.flatMap((pod) => pod.spec.containers.flatMap((c) => c.ports ?? []));
      for (const port of spec.ports)
        expect(named.find((p) => p.name === port.targetPort)?.protocol ?? 'TCP').toBe(port.protocol ?? 'TCP');
      for (const port of spec.ports) expect(named.map((p) => p.name)).toContain(port.targetPort);
    }
  });

  // What the API server refuses and the schemas do not say.
  it('selects its own pod labels and names its ports as the API server requires', () => {
    for (const workload of workloads) {
      const selector = (workload.spec as { selector?: { matchLabels?: Record<string, string> } }).selector;
      expect(selector?.matchLabels, workload.metadata.name).toBeDefined();
      expect(template(workload).metadata.labels, workload.metadata.name).toEqual(
        expect.objectContaining(selector?.matchLabels),
      );
      for (const container of template(workload).spec.containers)
        for (const port of container.ports ?? [])
          expect(port.name).toMatch(/^(?=.*[a-z])[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/);
    }
  });
});
