/**
 * A Deployment -> ReplicaSet -> 2 Pods tree with the owner references the workload controllers
 * set (controller, blockOwnerDeletion), created directly so the garbage collector tests need no
 * workload controller. Pods have no node, so their deletion is immediate.
 */
import type { Deployment, KObject, OwnerReference, Pod, ReplicaSet } from '../../../src/api/types.js';
import { isNotFound } from '../../../src/client/errors.js';
import type { Client } from '../../../src/client/rest.js';

export interface Tree {
  rs: string;
  pods: string[];
  /** The resourceVersion once the tree exists, to watch its deletions from. */
  resourceVersion: string;
}

const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } });

function controllerRef(o: KObject): OwnerReference {
  return { apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata.name!, uid: o.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export async function createDeploymentTree(client: Client, name: string, ns = 'default'): Promise<Tree> {
  const d = await client.resource<Deployment>('Deployment').create(ns, { metadata: { name }, spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: template(name) } });
  const rsName = `${name}-5d4f8b7c9`;
  const rs = await client.resource<ReplicaSet>('ReplicaSet').create(ns, {
    metadata: { name: rsName, labels: { app: name }, ownerReferences: [controllerRef(d)] },
    spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: template(name) },
  });
  const pods: string[] = [];
  let last: KObject = rs;
  for (const suffix of ['abcde', 'fghij']) {
    last = await client.resource<Pod>('Pod').create(ns, { metadata: { name: `${rsName}-${suffix}`, labels: { app: name }, ownerReferences: [controllerRef(rs)] }, spec: template(name).spec });
    pods.push(last.metadata.name!);
  }
  return { rs: rsName, pods, resourceVersion: last.metadata.resourceVersion! };
}

/** Whether kind ns/name no longer exists. */
export async function gone(client: Client, kind: string, name: string, ns = 'default'): Promise<boolean> {
  try {
    await client.resource<KObject>(kind).get(ns, name);
    return false;
  } catch (err) {
    if (isNotFound(err)) return true;
    throw err;
  }
}
