/**
 * Turns Kubernetes' OpenAPI v2 document (`api/openapi-spec/swagger.json` of the
 * `k8s.io/kubernetes` module) into the schema layout kubeconform reads from a folder:
 * `v<version>-standalone-strict/<kind>[-<group>]-<version>.json`, one JSON schema per
 * kind, with every definition it uses carried inside it (so no file refers to another
 * and recursive types such as JSONSchemaProps need no expansion), unknown fields refused
 * (`additionalProperties: false`, what kubeconform's `-strict` expects of these files),
 * int-or-string fields taking either, quantities taking a string or a number, and
 * optional scalar fields taking null, as the API server does.
 *
 * Run by deploy/kubernetes/tools.sh:
 *   node --import tsx deploy/test/kubernetes-schemas.ts swagger.json OUT_DIR 1.35.4
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type Json = null | boolean | number | string | Json[] | JsonObject;
interface JsonObject {
  [key: string]: Json;
}

/** A kind the API serves, as swagger's `x-kubernetes-group-version-kind` names it. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

const REF_PREFIX = '#/definitions/';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The file kubeconform looks for (its `{{ .ResourceKind }}{{ .KindSuffix }}.json`). */
export function schemaFileName({ group, version, kind }: GroupVersionKind): string {
  const shortGroup = group.split('.')[0] ?? '';
  return `${kind}${shortGroup === '' ? '' : `-${shortGroup}`}-${version}.json`.toLowerCase();
}

/** One definition rewritten for validation: strict, null-tolerant, descriptions dropped. */
function rewrite(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(rewrite);
  if (!isObject(schema)) return schema;
  if (schema.format === 'int-or-string') return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description' || key.startsWith('x-')) continue;
    out[key] = key === 'properties' ? rewriteProperties(value, schema.required) : rewrite(value);
  }
  if (isObject(out.properties) && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function rewriteProperties(properties: Json, required: Json | undefined): Json {
  if (!isObject(properties)) return properties;
  const requiredNames = new Set(Array.isArray(required) ? required : []);
  const out: JsonObject = {};
  for (const [name, property] of Object.entries(properties)) {
    const rewritten = rewrite(property);
    // `field: null` (or an empty `field:` in YAML) is how manifests leave an optional field unset.
    if (!requiredNames.has(name) && isObject(rewritten) && typeof rewritten.type === 'string')
      rewritten.type = [rewritten.type, 'null'];
    out[name] = rewritten;
  }
  return out;
}

/** Names of the definitions `schema` refers to, directly. */
function refsOf(schema: Json, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(schema)) for (const item of schema) refsOf(item, found);
  else if (isObject(schema))
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(REF_PREFIX))
        found.add(value.slice(REF_PREFIX.length));
      else refsOf(value, found);
    }
  return found;
}

/**
 * The standalone schemas of every kind `swagger` defines, by file name. A kind listed
 * under several group-versions (e.g. DeleteOptions) gets one file per group-version.
 */
export function kubeconformSchemas(swagger: JsonObject): Map<string, JsonObject> {
  const definitions = swagger.definitions;
  if (!isObject(definitions)) throw new Error('swagger.json has no definitions');
  const rewritten = new Map<string, Json>();
  for (const [name, schema] of Object.entries(definitions)) {
    rewritten.set(
      name,
      // kubectl and the API server take `cpu: 1` as well as `cpu: "1"`.
      name === QUANTITY ? { oneOf: [{ type: 'string' }, { type: 'number' }] } : rewrite(schema),
    );
  }
  const closure = (root: string): JsonObject => {
    const seen = new Set<string>();
    const pending = [root];
    for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
      if (seen.has(name)) continue;
      seen.add(name);
      pending.push(...refsOf(rewritten.get(name) ?? null));
    }
    seen.delete(root);
    const used: JsonObject = {};
    for (const name of [...seen].sort()) used[name] = rewritten.get(name) ?? {};
    return used;
  };
  const files = new Map<string, JsonObject>();
  for (const [name, schema] of Object.entries(definitions)) {
    const kinds = isObject(schema) ? schema['x-kubernetes-group-version-kind'] : undefined;
    if (!Array.isArray(kinds)) continue;
    const root = rewritten.get(name);
    if (!isObject(root)) continue;
    const standalone: JsonObject = {
      $schema: 'http://json-schema.org/draft-04/schema#',
      ...root,
      // Refs to the root itself (none among the kinds today) resolve too.
      definitions: { ...closure(name), [name]: root },
    };
    for (const gvk of kinds) {
      if (!isObject(gvk)) continue;
      const { group, version, kind } = gvk;
      if (typeof group !== 'string' || typeof version !== 'string' || typeof kind !== 'string') continue;
      files.set(schemaFileName({ group, version, kind }), standalone);
    }
  }
  return files;
}

/** Writes the schemas under `outDir/v<kubernetesVersion>-standalone-strict/`; returns how many. */
export function writeKubeconformSchemas(
  swaggerPath: string,
  outDir: string,
  kubernetesVersion: string,
): number {
  const swagger = JSON.parse(readFileSync(swaggerPath, 'utf8')) as Json;
  if (!isObject(swagger)) throw new Error(`${swaggerPath} is not an OpenAPI document`);
  const folder = join(outDir, `v${kubernetesVersion}-standalone-strict`);
  mkdirSync(folder, { recursive: true });
  const files = kubeconformSchemas(swagger);
  for (const [file, schema] of files) writeFileSync(join(folder, file), JSON.stringify(schema));
  return files.size;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [swaggerPath, outDir, kubernetesVersion] = process.argv.slice(2);
  if (!swaggerPath || !outDir || !kubernetesVersion) {
    process.stderr.write('usage: kubernetes-schemas.ts SWAGGER_JSON OUT_DIR KUBERNETES_VERSION\n');
    process.exit(2);
  }
  const count = writeKubeconformSchemas(swaggerPath, outDir, kubernetesVersion);
  process.stdout.write(`${count} schemas written to ${outDir}/v${kubernetesVersion}-standalone-strict\n`);
}
