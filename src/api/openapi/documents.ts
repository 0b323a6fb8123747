/**
 * The OpenAPI v3 documents kube-apiserver serves: the root /openapi/v3, which maps each group
 * version ("api/v1", "apis/apps/v1") to a serverRelativeURL carrying a content hash, and one
 * document per group version with its paths and the component schemas they reach.
 *
 * kubectl 1.32 (cli-runtime resource/query_param_verifier_v3.go) fetches the root, then the
 * document of the object's group version, and looks for a PATCH operation whose
 * x-kubernetes-group-version-kind is the object's kind: if that operation lists the
 * fieldValidation parameter, `kubectl apply` sends ?fieldValidation=Strict and the server does
 * the checking. A group version missing from the root is a GroupVersionNotFoundError, which
 * kubectl then answers by looking for a CRD and falling back to /openapi/v2; every group version
 * of resources.ts is therefore listed here.
 */
import { createHash } from 'node:crypto';
import { RESOURCES, groupVersions } from '../resources.js';
import { subresourceInfo } from '../discovery.js';
import { PACKAGES } from './dsl.js';
import { schemaClosure, schemaNameForKind } from './registry.js';
import { resourcePaths } from './paths.js';

/** "api/v1" for the core group, "apis/<group>/<version>" otherwise: the keys of the root's paths. */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

function parseGroupVersionPath(path: string): { group: string; version: string } | undefined {
  const core = /^api\/([^/]+)$/.exec(path);
  if (core) return { group: '', version: core[1]! };
  const named = /^apis\/([^/]+)\/([^/]+)$/.exec(path);
  return named ? { group: named[1]!, version: named[2]! } : undefined;
}

function buildDocument(group: string, version: string): object | undefined {
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  const paths: Record<string, object> = {};
  const roots = [`${PACKAGES.meta}.Status`, `${PACKAGES.meta}.DeleteOptions`, `${PACKAGES.meta}.WatchEvent`];
  for (const r of resources) {
    Object.assign(paths, resourcePaths(r));
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    roots.push(schemaNameForKind(gvk), schemaNameForKind({ ...gvk, kind: r.listKind }));
    for (const sub of r.subresources) roots.push(schemaNameForKind(subresourceInfo(r, sub).gvk));
  }
  const sortedPaths = Object.fromEntries(Object.keys(paths).sort().map((p) => [p, paths[p]]));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: sortedPaths,
    components: {
      schemas: schemaClosure(roots),
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
  };
}

interface Served {
  document: object;
  /** The JSON text the server sends; the hash is of exactly these bytes. */
  text: string;
  /** Upper-case hex SHA-512 of text, as kube-openapi computes its ETag. */
  hash: string;
}

const served = new Map<string, Served>();
for (const gv of groupVersions()) {
  const document = buildDocument(gv.group, gv.version)!;
  const text = JSON.stringify(document);
  served.set(groupVersionPath(gv.group, gv.version), { document, text, hash: createHash('sha512').update(text).digest('hex').toUpperCase() });
}

/** GET /openapi/v3: every served group version with the URL of its document. */
export function openapiV3Root(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [path, s] of served) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${s.hash}` };
  return { paths };
}

/** The document of a group version ("api/v1", "apis/apps/v1"), or undefined when not served. */
export function openapiV3Document(path: string): object | undefined {
  const gv = parseGroupVersionPath(path);
  return gv ? served.get(groupVersionPath(gv.group, gv.version))?.document : undefined;
}

/** The serialized document and its hash, for serving with an ETag; undefined when not served. */
export function openapiV3DocumentText(path: string): { text: string; hash: string } | undefined {
  const s = served.get(path);
  return s ? { text: s.text, hash: s.hash } : undefined;
}

/** The content hash of a group version's document, as used in the root's serverRelativeURL. */
export function openapiV3Hash(path: string): string | undefined {
  return served.get(path)?.hash;
}
