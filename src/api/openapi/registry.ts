/**
 * All component schemas, compiled once from the type descriptions in schemas/, with the
 * x-kubernetes-group-version-kind extension on every kind kubectl may look up: the resources of
 * resources.ts, their List kinds, the kinds of their subresources (Scale, Binding, Eviction), and
 * the meta/v1 kinds every group version serves (Status, DeleteOptions, WatchEvent).
 */
import { RESOURCES, groupVersions } from '../resources.js';
import { subresourceInfo, type GroupVersionKind } from '../discovery.js';
import { PACKAGES, compileTypeSets, refsOf, REF_PREFIX, type Schema, type TypeSet } from './dsl.js';
import { META } from './schemas/meta.js';
import { POD } from './schemas/pod.js';
import { CONTAINER } from './schemas/container.js';
import { VOLUMES } from './schemas/volumes.js';
import { CORE } from './schemas/core.js';
import { APPS, AUTOSCALING, COORDINATION, POLICY } from './schemas/apps.js';
import { DISCOVERY } from './schemas/discovery.js';

export const TYPE_SETS: readonly TypeSet[] = [META, POD, CONTAINER, VOLUMES, CORE, APPS, AUTOSCALING, POLICY, COORDINATION, DISCOVERY];

const GVK_EXTENSION = 'x-kubernetes-group-version-kind';
const PATCH_NAME = `${PACKAGES.meta}.Patch`;

/** OpenAPI name of a kind of k8s.io/api: io.k8s.api.<package>.<version>.<Kind>, the package being the group's first label. */
export function schemaNameForKind(gvk: GroupVersionKind): string {
  const pkg = gvk.group === '' ? 'core' : gvk.group.split('.')[0];
  return `io.k8s.api.${pkg}.${gvk.version}.${gvk.kind}`;
}

function build(): { components: Map<string, Schema>; byGVK: Map<string, string> } {
  const components = compileTypeSets(TYPE_SETS);
  components.set(PATCH_NAME, { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' });
  const gvks = new Map<string, GroupVersionKind[]>();
  const tag = (name: string, gvk: GroupVersionKind) => {
    if (!components.has(name)) throw new TypeError(`Cannot build OpenAPI schemas: no schema "${name}" for kind "${gvk.kind}"`);
    const list = gvks.get(name) ?? [];
    if (!list.some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) list.push(gvk);
    gvks.set(name, list);
  };

  for (const r of RESOURCES) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const name = schemaNameForKind(gvk);
    tag(name, gvk);
    const listName = schemaNameForKind({ ...gvk, kind: r.listKind });
    components.set(listName, {
      description: `${r.listKind} is a list of ${r.kind} objects.`,
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        items: { type: 'array', items: { allOf: [{ $ref: REF_PREFIX + name }] } },
        kind: { type: 'string' },
        metadata: { allOf: [{ $ref: `${REF_PREFIX}${PACKAGES.meta}.ListMeta` }] },
      },
    });
    tag(listName, { ...gvk, kind: r.listKind });
    for (const sub of r.subresources) {
      const info = subresourceInfo(r, sub);
      tag(schemaNameForKind(info.gvk), info.gvk);
    }
  }
  tag(`${PACKAGES.meta}.Status`, { group: '', version: 'v1', kind: 'Status' });
  // Every group version accepts DeleteOptions and streams WatchEvents in its own version.
  for (const gv of groupVersions()) {
    tag(`${PACKAGES.meta}.DeleteOptions`, { ...gv, kind: 'DeleteOptions' });
    tag(`${PACKAGES.meta}.WatchEvent`, { ...gv, kind: 'WatchEvent' });
  }

  const byGVK = new Map<string, string>();
  for (const [name, list] of gvks) {
    components.set(name, { ...components.get(name)!, [GVK_EXTENSION]: list });
    for (const g of list) byGVK.set(gvkKey(g), name);
  }
  return { components, byGVK };
}

function gvkKey(g: GroupVersionKind): string {
  return `${g.group}/${g.version}/${g.kind}`;
}

const BUILT = build();

/** Every component schema by OpenAPI name. */
export function componentSchema(name: string): Schema | undefined {
  return BUILT.components.get(name);
}

/** The component schema name of a kind, or undefined when no schema carries that kind. */
export function schemaNameForGVK(gvk: GroupVersionKind): string | undefined {
  return BUILT.byGVK.get(gvkKey(gvk));
}

/** The schemas a document needs: the named roots and everything they refer to, sorted by name. */
export function schemaClosure(roots: Iterable<string>): Record<string, Schema> {
  const seen = new Set<string>();
  const stack = [...roots, PATCH_NAME];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const schema = BUILT.components.get(name);
    if (!schema) throw new TypeError(`Cannot build OpenAPI document: no schema "${name}"`);
    for (const target of refsOf(schema)) stack.push(target);
  }
  const out: Record<string, Schema> = {};
  for (const name of [...seen].sort()) out[name] = BUILT.components.get(name)!;
  return out;
}
