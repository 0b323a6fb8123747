/**
 * The `paths` of a group-version document: for every resource of resources.ts its collection and
 * item paths (namespaced and all-namespaces forms), the deprecated /watch/ paths, and one path per
 * subresource, each operation carrying the operationId, parameters, x-kubernetes-action and
 * x-kubernetes-group-version-kind that kube-apiserver publishes.
 */
import type { ResourceInfo, Subresource } from '../resources.js';
import { subresourceInfo, type GroupVersionKind } from '../discovery.js';
import { PACKAGES, REF_PREFIX, type Schema } from './dsl.js';
import { schemaNameForKind } from './registry.js';
import { NAMESPACE_PARAMETER, OPERATION_QUERY, QUERY, nameParameter, type Parameter } from './parameters.js';

type Action = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'watch' | 'watchlist';

interface OperationSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  operationId: string;
  description: string;
  action: Action;
  gvk: GroupVersionKind;
  /** Key of OPERATION_QUERY naming the query parameters. */
  query: keyof typeof OPERATION_QUERY;
  /** Component schema of the request body, if any. */
  body?: string;
  /** Component schema of the 200 response, or 'text' for the plain-text log. */
  response: string;
  /** Extra success codes beyond 200 (201 Created, 202 Accepted). */
  extraCodes?: ('201' | '202')[];
  stream?: boolean;
}

const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
const STATUS = `${PACKAGES.meta}.Status`;
const DELETE_OPTIONS = `${PACKAGES.meta}.DeleteOptions`;
const WATCH_EVENT = `${PACKAGES.meta}.WatchEvent`;
const PATCH = `${PACKAGES.meta}.Patch`;

function ref(name: string): Schema {
  return { $ref: REF_PREFIX + name };
}

function operation(spec: OperationSpec): object {
  const jsonTypes = spec.stream ? ['application/json', 'application/json;stream=watch'] : ['application/json'];
  const content = (schema: Schema) => Object.fromEntries(jsonTypes.map((t) => [t, { schema }]));
  const okSchema: Schema = spec.response === 'text' ? { type: 'string' } : ref(spec.response);
  const responses: Record<string, object> = {
    '200': { description: 'OK', content: spec.response === 'text' ? { 'text/plain': { schema: okSchema } } : content(okSchema) },
  };
  for (const code of spec.extraCodes ?? []) {
    responses[code] = { description: code === '201' ? 'Created' : 'Accepted', content: content(okSchema) };
  }
  responses['401'] = { description: 'Unauthorized' };
  let requestBody: object | undefined;
  if (spec.body && spec.method === 'patch') {
    requestBody = { content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: ref(spec.body!) }])), required: true };
  } else if (spec.body) {
    requestBody = { content: { '*/*': { schema: ref(spec.body) } }, ...(spec.method === 'delete' ? {} : { required: true }) };
  }
  return {
    tags: [`${spec.gvk.group === '' ? 'core' : spec.gvk.group.split('.')[0]}_${spec.gvk.version}`],
    description: spec.description,
    operationId: spec.operationId,
    parameters: OPERATION_QUERY[spec.query]!.map((p) => QUERY[p] as Parameter),
    ...(requestBody ? { requestBody } : {}),
    responses,
    'x-kubernetes-action': spec.action,
    'x-kubernetes-group-version-kind': spec.gvk,
  };
}

/** "CoreV1", "AppsV1", "CoordinationV1": the group-version part of operation IDs. */
function gvPart(r: ResourceInfo): string {
  const group = r.group === '' ? 'core' : r.group.replace(/\.k8s\.io$/, '');
  const words = group.split('.').map((w) => w[0]!.toUpperCase() + w.slice(1));
  return `${words.join('')}${r.version[0]!.toUpperCase()}${r.version.slice(1)}`;
}

function subresourceOperations(r: ResourceInfo, sub: Subresource, id: (verb: string) => string): OperationSpec[] {
  const info = subresourceInfo(r, sub);
  const schema = schemaNameForKind(info.gvk);
  const Sub = sub[0]!.toUpperCase() + sub.slice(1);
  const common = { gvk: info.gvk };
  switch (sub) {
    case 'status':
    case 'scale':
      return [
        { ...common, method: 'get', operationId: id(`read`) + Sub, description: `read ${sub} of the specified ${r.kind}`, action: 'get', query: 'read', response: schema },
        { ...common, method: 'put', operationId: id(`replace`) + Sub, description: `replace ${sub} of the specified ${r.kind}`, action: 'put', query: 'replace', body: schema, response: schema, extraCodes: ['201'] },
        { ...common, method: 'patch', operationId: id(`patch`) + Sub, description: `partially update ${sub} of the specified ${r.kind}`, action: 'patch', query: 'patch', body: PATCH, response: schema, extraCodes: ['201'] },
      ];
    case 'binding':
    case 'eviction':
      return [
        { ...common, method: 'post', operationId: id('create') + Sub, description: `create ${sub} of a ${r.kind}`, action: 'post', query: 'create', body: schema, response: schema, extraCodes: ['201', '202'] },
      ];
    case 'log':
      return [{ ...common, method: 'get', operationId: id('read') + Sub, description: `read log of the specified ${r.kind}`, action: 'get', query: 'log', response: 'text' }];
  }
}

function pathItem(parameters: Parameter[], ops: OperationSpec[]): object {
  const item: Record<string, unknown> = {};
  for (const op of ops) item[op.method] = operation(op);
  item.parameters = [...parameters, QUERY.pretty];
  return item;
}

/** All paths of one resource, keyed by path. */
export function resourcePaths(r: ResourceInfo): Record<string, object> {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const schema = schemaNameForKind(gvk);
  const listSchema = schemaNameForKind({ ...gvk, kind: r.listKind });
  const scope = r.namespaced ? 'Namespaced' : '';
  const id = (verb: string, middle = '') => `${verb}${gvPart(r)}${middle}${scope}${r.kind}`;
  const ns = r.namespaced ? [NAMESPACE_PARAMETER] : [];
  const collection = r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}` : `${base}/${r.plural}`;
  const watchCollection = r.namespaced ? `${base}/watch/namespaces/{namespace}/${r.plural}` : `${base}/watch/${r.plural}`;
  const name = nameParameter(r.kind);

  const collectionOps: OperationSpec[] = [
    { method: 'get', operationId: id('list'), description: `list or watch objects of kind ${r.kind}`, action: 'list', gvk, query: 'list', response: listSchema, stream: true },
    { method: 'post', operationId: id('create'), description: `create a ${r.kind}`, action: 'post', gvk, query: 'create', body: schema, response: schema, extraCodes: ['201', '202'] },
  ];
  if (r.kind !== 'Namespace') {
    collectionOps.push({ method: 'delete', operationId: id('delete', 'Collection'), description: `delete collection of ${r.kind}`, action: 'deletecollection', gvk, query: 'deletecollection', body: DELETE_OPTIONS, response: STATUS });
  }
  const itemOps: OperationSpec[] = [
    { method: 'get', operationId: id('read'), description: `read the specified ${r.kind}`, action: 'get', gvk, query: 'read', response: schema },
    { method: 'put', operationId: id('replace'), description: `replace the specified ${r.kind}`, action: 'put', gvk, query: 'replace', body: schema, response: schema, extraCodes: ['201'] },
    { method: 'delete', operationId: id('delete'), description: `delete a ${r.kind}`, action: 'delete', gvk, query: 'delete', body: DELETE_OPTIONS, response: schema, extraCodes: ['202'] },
    { method: 'patch', operationId: id('patch'), description: `partially update the specified ${r.kind}`, action: 'patch', gvk, query: 'patch', body: PATCH, response: schema, extraCodes: ['201'] },
  ];

  const paths: Record<string, object> = {
    [collection]: pathItem(ns, collectionOps),
    [`${collection}/{name}`]: pathItem([name, ...ns], itemOps),
    [watchCollection]: pathItem(ns, [
      { method: 'get', operationId: id('watch') + 'List', description: `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`, action: 'watchlist', gvk, query: 'list', response: WATCH_EVENT, stream: true },
    ]),
    [`${watchCollection}/{name}`]: pathItem([name, ...ns], [
      { method: 'get', operationId: id('watch'), description: `watch changes to an object of kind ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`, action: 'watch', gvk, query: 'list', response: WATCH_EVENT, stream: true },
    ]),
  };
  if (r.namespaced) {
    const allId = `${gvPart(r)}${r.kind}`;
    paths[`${base}/${r.plural}`] = pathItem([], [
      { method: 'get', operationId: `list${allId}ForAllNamespaces`, description: `list or watch objects of kind ${r.kind}`, action: 'list', gvk, query: 'list', response: listSchema, stream: true },
    ]);
    paths[`${base}/watch/${r.plural}`] = pathItem([], [
      { method: 'get', operationId: `watch${allId}ListForAllNamespaces`, description: `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`, action: 'watchlist', gvk, query: 'list', response: WATCH_EVENT, stream: true },
    ]);
  }
  for (const sub of r.subresources) {
    paths[`${collection}/{name}/${sub}`] = pathItem([name, ...ns], subresourceOperations(r, sub, (verb) => id(verb)));
  }
  return paths;
}
