import test from 'ava';
import {
  AGGREGATED_DISCOVERY_CONTENT_TYPE,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  storageVersionHash,
  type APIResource,
} from '../../../src/api/discovery.js';
import { RESOURCES, groupVersions } from '../../../src/api/resources.js';

const legacyEntries = (): APIResource[] => groupVersions().flatMap((gv) => apiResourceList(gv.group, gv.version)!.resources);

test('the resource lists name every resource of RESOURCES exactly once, with its REST names', (t) => {
  const entries = legacyEntries().filter((e) => !e.name.includes('/'));
  t.deepEqual(entries.map((e) => e.name).sort(), RESOURCES.map((r) => r.plural).sort());
  for (const r of RESOURCES) {
    const e = apiResourceList(r.group, r.version)!.resources.find((x) => x.name === r.plural)!;
    t.is(e.kind, r.kind);
    t.is(e.singularName, r.singular);
    t.is(e.namespaced, r.namespaced);
    t.deepEqual(e.shortNames ?? [], r.shortNames);
    t.deepEqual(e.categories ?? [], r.categories);
    t.true(e.verbs.includes('get') && e.verbs.includes('watch') && e.verbs.includes('patch'));
  }
});

test('every subresource is listed as "<plural>/<sub>" after its resource', (t) => {
  const names = legacyEntries().map((e) => e.name);
  for (const r of RESOURCES) {
    for (const sub of r.subresources) {
      const i = names.indexOf(`${r.plural}/${sub}`);
      t.true(i > names.indexOf(r.plural), `${r.plural}/${sub}`);
    }
  }
  t.is(names.filter((n) => n.includes('/')).length, RESOURCES.reduce((n, r) => n + r.subresources.length, 0));
});

test('subresource entries carry the kind and verbs Kubernetes gives them', (t) => {
  const find = (group: string, name: string) => apiResourceList(group, 'v1')!.resources.find((e) => e.name === name);
  t.deepEqual(find('', 'pods/status'), { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] });
  t.deepEqual(find('', 'pods/binding'), { name: 'pods/binding', singularName: '', namespaced: true, kind: 'Binding', verbs: ['create'] });
  t.deepEqual(find('', 'pods/log'), { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
  t.deepEqual(find('', 'pods/eviction'), { name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
  t.deepEqual(find('apps', 'deployments/scale'), { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
  t.deepEqual(find('', 'nodes/status')?.namespaced, false);
});

test('namespaces cannot be deleted as a collection; other resources can', (t) => {
  const verbs = (name: string) => legacyEntries().find((e) => e.name === name)!.verbs;
  t.deepEqual(verbs('namespaces'), ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
  t.deepEqual(verbs('pods'), ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
});

test('storageVersionHash matches what a real cluster reports', (t) => {
  t.is(storageVersionHash('', 'v1', 'Pod'), 'xPOwRZ+Yhw8=');
  t.is(storageVersionHash('apps', 'v1', 'Deployment'), '8aSe+NMegvE=');
  t.is(legacyEntries().find((e) => e.name === 'namespaces')!.storageVersionHash, 'Q3oi5N2YM8M=');
  t.is(legacyEntries().find((e) => e.name === 'pods/status')!.storageVersionHash, undefined);
});

test('resource lists are APIResourceList documents, undefined for an unserved group version', (t) => {
  const apps = apiResourceList('apps', 'v1')!;
  t.is(apps.kind, 'APIResourceList');
  t.is(apps.apiVersion, 'v1');
  t.is(apps.groupVersion, 'apps/v1');
  t.is(apiResourceList('', 'v1')!.groupVersion, 'v1');
  t.is(apiResourceList('batch', 'v1'), undefined);
  t.is(apiResourceList('apps', 'v1beta1'), undefined);
});

test('/api lists the core versions and /apis every named group with its preferred version', (t) => {
  t.deepEqual(apiVersions(), { kind: 'APIVersions', versions: ['v1'] });
  t.deepEqual(apiVersions('192.168.56.10:6443').serverAddressByClientCIDRs, [{ clientCIDR: '0.0.0.0/0', serverAddress: '192.168.56.10:6443' }]);
  const list = apiGroupList();
  t.is(list.kind, 'APIGroupList');
  t.deepEqual(list.groups.map((g) => g.name).sort(), [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))].sort());
  t.deepEqual(apiGroup('apps'), {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: 'apps',
    versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
    preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
  });
  t.is(apiGroup('batch'), undefined);
});

test('aggregated discovery for /api holds only the unnamed core group', (t) => {
  const doc = aggregatedDiscovery('api');
  t.is(doc.kind, 'APIGroupDiscoveryList');
  t.is(doc.apiVersion, 'apidiscovery.k8s.io/v2');
  t.is(doc.items.length, 1);
  t.deepEqual(doc.items[0]!.metadata, {});
  t.deepEqual(doc.items[0]!.versions.map((v) => [v.version, v.freshness]), [['v1', 'Current']]);
  t.deepEqual(doc.items[0]!.versions[0]!.resources.map((r) => r.resource).sort(), RESOURCES.filter((r) => r.group === '').map((r) => r.plural).sort());
});

test('aggregated discovery for /apis holds every named group and no core resource', (t) => {
  const doc = aggregatedDiscovery('apis');
  t.deepEqual(doc.items.map((i) => i.metadata.name).sort(), apiGroupList().groups.map((g) => g.name).sort());
  const plurals = doc.items.flatMap((i) => i.versions.flatMap((v) => v.resources.map((r) => r.resource)));
  t.deepEqual(plurals.sort(), RESOURCES.filter((r) => r.group !== '').map((r) => r.plural).sort());
});

test('aggregated resources use the apidiscovery v2 field names, with subresources nested', (t) => {
  const core = aggregatedDiscovery('api').items[0]!.versions[0]!.resources;
  const pods = core.find((r) => r.resource === 'pods')!;
  t.deepEqual(Object.keys(pods).sort(), ['categories', 'resource', 'responseKind', 'scope', 'shortNames', 'singularResource', 'subresources', 'verbs']);
  t.deepEqual(pods.responseKind, { group: '', version: 'v1', kind: 'Pod' });
  t.is(pods.scope, 'Namespaced');
  t.is(pods.singularResource, 'pod');
  t.deepEqual(pods.shortNames, ['po']);
  t.deepEqual(pods.categories, ['all']);
  t.deepEqual(pods.subresources, [
    { subresource: 'binding', responseKind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
    { subresource: 'eviction', responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
    { subresource: 'log', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
    { subresource: 'status', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get', 'patch', 'update'] },
  ]);
  t.is(core.find((r) => r.resource === 'nodes')!.scope, 'Cluster');
  t.false('subresources' in core.find((r) => r.resource === 'configmaps')!);
  const deploy = aggregatedDiscovery('apis').items.find((i) => i.metadata.name === 'apps')!.versions[0]!.resources.find((r) => r.resource === 'deployments')!;
  t.deepEqual(deploy.subresources!.map((s) => [s.subresource, s.responseKind.kind]), [['scale', 'Scale'], ['status', 'Deployment']]);
});

test('every subresource of RESOURCES appears in aggregated discovery', (t) => {
  const all = [...aggregatedDiscovery('api').items, ...aggregatedDiscovery('apis').items].flatMap((i) => i.versions.flatMap((v) => v.resources));
  for (const r of RESOURCES) {
    const entry = all.find((e) => e.resource === r.plural && e.responseKind.group === r.group)!;
    t.deepEqual((entry.subresources ?? []).map((s) => s.subresource).sort(), [...r.subresources].sort());
  }
});

test('the aggregated content type is the one kubectl 1.32 asks for first', (t) => {
  t.is(AGGREGATED_DISCOVERY_CONTENT_TYPE, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
});
