/**
 * What deploy/test/kubernetes.test.ts reads: the manifests of deploy/kubernetes as
 * parsed objects, and kubeconform as deploy/kubernetes/tools.sh installs it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** deploy/kubernetes */
export const MANIFESTS_DIR = fileURLToPath(new URL('../kubernetes/', import.meta.url));

/** The parts of a container the tests look at. */
export interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: Array<{
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
  }>;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

interface Probe {
  httpGet?: { path: string; port: string | number };
}

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
}

/** The parts of a pod template the tests look at. */
export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    securityContext?: SecurityContext;
    initContainers?: Container[];
    containers: Container[];
    volumes?: Array<{
      name: string;
      hostPath?: { path: string };
      emptyDir?: object;
      configMap?: { name: string };
      secret?: { secretName: string };
    }>;
  };
}

/** One document of a manifest file. */
export interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: { replicas?: number; template?: PodTemplate };
}

/** The manifest files of deploy/kubernetes, kustomization.yaml aside. */
export function manifestFiles(): string[] {
  return readdirSync(MANIFESTS_DIR)
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .sort();
}

/** Every document of every manifest file, parsed as YAML 1.1 as kubectl does (0440 is octal). */
export function loadResources(): Resource[] {
  return manifestFiles().flatMap((file) =>
    parseAllDocuments(readFileSync(join(MANIFESTS_DIR, file), 'utf8'), { version: '1.1' }).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.join('; ')}`);
      return doc.toJS() as Resource;
    }),
  );
}

/** Where tools.sh put kubeconform and the schemas, for the versions it pins. */
export function kubeconformInstall(): { bin: string; schemaLocation: string; kubernetesVersion: string } {
  const tools = readFileSync(join(MANIFESTS_DIR, 'tools.sh'), 'utf8');
  const pinned = (name: string) => {
    const value = new RegExp(`^${name}=(\\S+)$`, 'm').exec(tools)?.[1];
    if (!value) throw new Error(`${name} is not set in deploy/kubernetes/tools.sh`);
    return value;
  };
  const cache =
    process.env.VIGIE_KUBECONFORM_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vigie', 'kubeconform');
  const kubernetesVersion = pinned('KUBERNETES_VERSION');
  const bin = join(cache, 'bin', `kubeconform-${pinned('KUBECONFORM_VERSION')}`);
  const schemas = join(cache, 'schemas', `v${kubernetesVersion}-standalone-strict`);
  if (!existsSync(bin) || !existsSync(join(schemas, '.complete')))
    throw new Error(
      `kubeconform or the Kubernetes ${kubernetesVersion} schemas are missing from ${cache}: ` +
        'run `bash deploy/kubernetes/tools.sh` (needs Go and `npm ci`; .ci/run does it)',
    );
  const schemaLocation = join(
    cache,
    'schemas',
    '{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}',
    '{{ .ResourceKind }}{{ .KindSuffix }}.json',
  );
  return { bin, schemaLocation, kubernetesVersion };
}

/** kubeconform's verdict on one resource. */
export interface Verdict {
  filename: string;
  kind: string;
  name: string;
  status: 'statusValid' | 'statusInvalid' | 'statusError' | 'statusSkipped' | 'statusEmpty';
  msg: string;
}

/** Runs kubeconform -strict over `files`, a missing schema being an error. */
export function kubeconform(files: string[]): { exitCode: number; verdicts: Verdict[] } {
  const { bin, schemaLocation, kubernetesVersion } = kubeconformInstall();
  const run = spawnSync(
    bin,
    [
      '-strict',
      '-verbose',
      '-output',
      'json',
      '-kubernetes-version',
      kubernetesVersion,
      '-schema-location',
      schemaLocation,
      ...files,
    ],
    { encoding: 'utf8' },
  );
  if (run.error) throw run.error;
  const output = JSON.parse(run.stdout) as { resources: Verdict[] };
  return { exitCode: run.status ?? -1, verdicts: output.resources };
}
