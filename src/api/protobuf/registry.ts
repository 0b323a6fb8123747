/**
 * The compiled message schemas, and which message a top-level apiVersion/kind decodes as: every
 * kind the server serves (../resources.ts), the subresource kinds (Binding, Eviction, Scale) and
 * DeleteOptions, which client-go encodes in the group version of the client that sends it.
 */
import { compileSchemas, PROTO_PACKAGES, type Message } from './dsl.js';
import { APPS, AUTOSCALING, COORDINATION, POLICY } from './schemas/apps.js';
import { CONTAINER } from './schemas/container.js';
import { DISCOVERY } from './schemas/discovery.js';
import { CORE } from './schemas/core.js';
import { META } from './schemas/meta.js';
import { POD } from './schemas/pod.js';
import { VOLUMES } from './schemas/volumes.js';

/** Every message, keyed by full protobuf name (k8s.io.api.core.v1.PodSpec). */
export const MESSAGES: ReadonlyMap<string, Message> = compileSchemas([META, CORE, POD, CONTAINER, VOLUMES, APPS, AUTOSCALING, POLICY, COORDINATION, DISCOVERY]);

const KINDS: Record<string, string> = {
  'v1/Namespace': `${PROTO_PACKAGES.core}.Namespace`,
  'v1/Pod': `${PROTO_PACKAGES.core}.Pod`,
  'v1/Node': `${PROTO_PACKAGES.core}.Node`,
  'v1/Service': `${PROTO_PACKAGES.core}.Service`,
  'v1/Endpoints': `${PROTO_PACKAGES.core}.Endpoints`,
  'v1/Event': `${PROTO_PACKAGES.core}.Event`,
  'v1/ConfigMap': `${PROTO_PACKAGES.core}.ConfigMap`,
  'v1/Binding': `${PROTO_PACKAGES.core}.Binding`,
  'apps/v1/Deployment': `${PROTO_PACKAGES.apps}.Deployment`,
  'apps/v1/ReplicaSet': `${PROTO_PACKAGES.apps}.ReplicaSet`,
  'autoscaling/v1/Scale': `${PROTO_PACKAGES.autoscaling}.Scale`,
  'policy/v1/Eviction': `${PROTO_PACKAGES.policy}.Eviction`,
  'coordination.k8s.io/v1/Lease': `${PROTO_PACKAGES.coordination}.Lease`,
  'discovery.k8s.io/v1/EndpointSlice': `${PROTO_PACKAGES.discovery}.EndpointSlice`,
};
for (const gv of ['v1', 'apps/v1', 'autoscaling/v1', 'policy/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'meta.k8s.io/v1']) {
  KINDS[`${gv}/DeleteOptions`] = `${PROTO_PACKAGES.meta}.DeleteOptions`;
}
for (const [gvk, name] of Object.entries(KINDS)) {
  if (!MESSAGES.has(name)) throw new TypeError(`Cannot map ${gvk} to protobuf message "${name}": no such message`);
}

/** The message a top-level object of this apiVersion and kind is encoded as, if we decode it. */
export function messageForKind(apiVersion: string, kind: string): Message | undefined {
  const name = KINDS[`${apiVersion}/${kind}`];
  return name === undefined ? undefined : MESSAGES.get(name);
}

/** Every apiVersion/kind pair we decode, as "apps/v1/Deployment". */
export function protobufKinds(): string[] {
  return Object.keys(KINDS);
}
