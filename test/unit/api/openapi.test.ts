import test from 'ava';
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import * as k8sModels from '@kubernetes/client-node/dist/gen/models/all.js';
import {
  cannotBeHandledMessage,
  componentSchema,
  openapiV3Document,
  openapiV3DocumentText,
  openapiV3Hash,
  openapiV3Root,
  strictDecodingErrorMessage,
  unknownFields,
  type Schema,
} from '../../../src/api/openapi/index.js';
import { RESOURCES, groupVersions, apiVersionOf } from '../../../src/api/resources.js';

interface Operation {
  operationId: string;
  parameters: { name: string; in: string }[];
  requestBody?: { content: Record<string, unknown> };
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind': { group: string; version: string; kind: string };
}
interface Doc {
  openapi: string;
  info: object;
  paths: Record<string, Record<string, Operation | unknown>>;
  components: { schemas: Record<string, Schema> };
}

const gvPath = (group: string, version: string) => (group === '' ? `api/${version}` : `apis/${group}/${version}`);
const docOf = (group: string, version: string) => openapiV3Document(gvPath(group, version)) as Doc;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function operations(doc: Doc): [string, string, Operation][] {
  const out: [string, string, Operation][] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) if (item[m]) out.push([path, m, item[m] as Operation]);
  }
  return out;
}

/** kubectl's resolve() for PatchMetaFromOpenAPIV3: first allOf entry, then the $ref. */
function resolveIn(doc: Doc, s: Schema): Schema {
  let cur = s;
  if (cur.allOf?.length) cur = cur.allOf[0]!;
  if (cur.$ref) {
    const target = doc.components.schemas[cur.$ref.replace('#/components/schemas/', '')];
    if (!target) throw new Error(`unable to resolve ${cur.$ref} in OpenAPI V3`);
    cur = target;
  }
  return cur;
}

// ---- root and documents ----

test('the /openapi/v3 root lists every group version of RESOURCES, each with a hashed document URL', (t) => {
  const root = openapiV3Root();
  t.deepEqual(Object.keys(root.paths).sort(), groupVersions().map((gv) => gvPath(gv.group, gv.version)).sort());
  for (const [path, { serverRelativeURL }] of Object.entries(root.paths)) {
    t.is(serverRelativeURL, `/openapi/v3/${path}?hash=${openapiV3Hash(path)}`);
    t.truthy(openapiV3Document(path), `${path} is listed but has no document: kubectl would fall back to /openapi/v2`);
  }
});

test('a document hash is the upper-case SHA-512 of the served bytes, stable across calls', (t) => {
  for (const path of Object.keys(openapiV3Root().paths)) {
    const served = openapiV3DocumentText(path)!;
    t.is(served.hash, createHash('sha512').update(served.text).digest('hex').toUpperCase());
    t.deepEqual(JSON.parse(served.text), openapiV3Document(path));
    t.is(openapiV3Hash(path), served.hash);
  }
  t.not(openapiV3Hash('api/v1'), openapiV3Hash('apis/apps/v1'));
});

test('an unserved group version has no document', (t) => {
  t.is(openapiV3Document('apis/batch/v1'), undefined);
  t.is(openapiV3Document('api/v2'), undefined);
  t.is(openapiV3Document('nonsense'), undefined);
  t.is(openapiV3DocumentText('apis/batch/v1'), undefined);
});

test('each document is OpenAPI 3.0.0 whose every $ref resolves within its own components', (t) => {
  for (const gv of groupVersions()) {
    const doc = docOf(gv.group, gv.version);
    t.is(doc.openapi, '3.0.0');
    t.truthy(doc.info);
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/components\/schemas\/[^"]+"/g) ?? [];
    t.true(refs.length > 0);
    for (const r of refs) t.truthy(doc.components.schemas[r.slice('"$ref":"#/components/schemas/'.length, -1)], `${gvPath(gv.group, gv.version)}: dangling ${r}`);
  }
});

// ---- what kubectl checks ----

for (const r of RESOURCES) {
  test(`kubectl finds fieldValidation on every PATCH of ${r.kind} (query_param_verifier_v3's check)`, (t) => {
    const doc = docOf(r.group, r.version);
    // supportsQueryParamV3 answers from the first PATCH with the kind's GVK it meets in a Go map,
    // so every such operation must carry the parameter.
    const patches = operations(doc).filter(([, m, op]) => {
      const gvk = op['x-kubernetes-group-version-kind'];
      return m === 'patch' && gvk.group === r.group && gvk.version === r.version && gvk.kind === r.kind;
    });
    t.true(patches.length >= 1);
    for (const [path, , op] of patches) {
      t.true(op.parameters.some((p) => p.name === 'fieldValidation' && p.in === 'query'), `${path} PATCH lacks fieldValidation`);
      t.truthy(op.requestBody?.content['application/strategic-merge-patch+json'], `${path} PATCH does not take strategic merge patches`);
    }
  });
}

test('every create, replace and patch takes dryRun, fieldManager and fieldValidation', (t) => {
  for (const gv of groupVersions()) {
    for (const [path, m, op] of operations(docOf(gv.group, gv.version))) {
      if (!['post', 'put', 'patch'].includes(m)) continue;
      const names = op.parameters.map((p) => p.name);
      for (const p of ['dryRun', 'fieldManager', 'fieldValidation']) t.true(names.includes(p), `${m} ${path} lacks ${p}`);
    }
  }
});

test('operations carry Kubernetes operation IDs, actions and group-version-kinds', (t) => {
  const core = docOf('', 'v1');
  const op = (path: string, m: string) => core.paths[path]![m] as Operation;
  t.is(op('/api/v1/namespaces/{namespace}/pods', 'get').operationId, 'listCoreV1NamespacedPod');
  t.is(op('/api/v1/namespaces/{namespace}/pods', 'get')['x-kubernetes-action'], 'list');
  t.is(op('/api/v1/namespaces/{namespace}/pods', 'delete').operationId, 'deleteCoreV1CollectionNamespacedPod');
  t.is(op('/api/v1/namespaces/{namespace}/pods', 'delete')['x-kubernetes-action'], 'deletecollection');
  t.is(op('/api/v1/namespaces/{namespace}/pods/{name}', 'patch').operationId, 'patchCoreV1NamespacedPod');
  t.is(op('/api/v1/pods', 'get').operationId, 'listCoreV1PodForAllNamespaces');
  t.is(op('/api/v1/nodes/{name}', 'put').operationId, 'replaceCoreV1Node');
  t.is(op('/api/v1/namespaces/{namespace}/pods/{name}/status', 'patch').operationId, 'patchCoreV1NamespacedPodStatus');
  t.is(op('/api/v1/namespaces/{namespace}/pods/{name}/binding', 'post').operationId, 'createCoreV1NamespacedPodBinding');
  t.deepEqual(op('/api/v1/namespaces/{namespace}/pods/{name}/binding', 'post')['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Binding' });
  t.deepEqual(op('/api/v1/namespaces/{namespace}/pods/{name}/eviction', 'post')['x-kubernetes-group-version-kind'], { group: 'policy', version: 'v1', kind: 'Eviction' });
  t.is(op('/api/v1/namespaces/{namespace}/pods/{name}/log', 'get').operationId, 'readCoreV1NamespacedPodLog');
  t.true(op('/api/v1/namespaces/{namespace}/pods/{name}/log', 'get').parameters.some((p) => p.name === 'follow'));
  t.is(op('/api/v1/watch/namespaces/{namespace}/pods', 'get')['x-kubernetes-action'], 'watchlist');
  t.falsy(core.paths['/api/v1/namespaces']!.delete, 'namespaces have no deletecollection');
  const apps = docOf('apps', 'v1');
  const scale = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']!.patch as Operation;
  t.is(scale.operationId, 'patchAppsV1NamespacedDeploymentScale');
  t.deepEqual(scale['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  const lease = docOf('coordination.k8s.io', 'v1').paths['/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}']!.get as Operation;
  t.is(lease.operationId, 'readCoordinationV1NamespacedLease');
});

test('every resource has collection, item, watch and subresource paths in the right scope', (t) => {
  for (const r of RESOURCES) {
    const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
    const coll = r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}` : `${base}/${r.plural}`;
    const expected = [coll, `${coll}/{name}`, ...r.subresources.map((s) => `${coll}/{name}/${s}`)];
    if (r.namespaced) expected.push(`${base}/${r.plural}`, `${base}/watch/${r.plural}`);
    const paths = docOf(r.group, r.version).paths;
    for (const p of expected) t.truthy(paths[p], `missing ${p}`);
  }
});

test('kind schemas are named like Kubernetes and carry x-kubernetes-group-version-kind', (t) => {
  const core = docOf('', 'v1').components.schemas;
  t.deepEqual(core['io.k8s.api.core.v1.Pod']!['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Pod' }]);
  t.deepEqual(core['io.k8s.api.core.v1.PodList']!['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'PodList' }]);
  t.truthy(core['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']!.properties!.managedFields);
  t.truthy(core['io.k8s.api.policy.v1.Eviction']);
  const apps = docOf('apps', 'v1').components.schemas;
  t.deepEqual(apps['io.k8s.api.autoscaling.v1.Scale']!['x-kubernetes-group-version-kind'], [{ group: 'autoscaling', version: 'v1', kind: 'Scale' }]);
  t.truthy(docOf('coordination.k8s.io', 'v1').components.schemas['io.k8s.api.coordination.v1.Lease']);
  for (const r of RESOURCES) {
    const schemas = docOf(r.group, r.version).components.schemas;
    const tagged = Object.values(schemas).filter((s) =>
      ((s['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined) ?? []).some((g) => g.group === r.group && g.version === r.version && g.kind === r.kind),
    );
    t.is(tagged.length, 1, `${r.kind} must be found by kubectl's gvkMatchesArray exactly once`);
  }
});

test('lists carry the patch strategies and merge keys of the Go types', (t) => {
  const s = (name: string) => componentSchema(name)!.properties!;
  t.like(s('io.k8s.api.core.v1.PodSpec').containers, { 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' });
  t.like(s('io.k8s.api.core.v1.PodSpec').volumes, { 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge,retainKeys' });
  t.like(s('io.k8s.api.core.v1.Container').ports, { 'x-kubernetes-patch-merge-key': 'containerPort', 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'] });
  t.like(s('io.k8s.api.core.v1.Container').env, { 'x-kubernetes-patch-merge-key': 'name' });
  t.like(s('io.k8s.api.core.v1.ServiceSpec').ports, { 'x-kubernetes-patch-merge-key': 'port' });
  t.like(s('io.k8s.api.apps.v1.DeploymentSpec').strategy, { 'x-kubernetes-patch-strategy': 'retainKeys' });
  t.like(s('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta').ownerReferences, { 'x-kubernetes-patch-merge-key': 'uid' });
  t.is(s('io.k8s.api.core.v1.PodSpec').tolerations!['x-kubernetes-patch-strategy'], undefined);
});

// ---- realistic manifests ----

const DEPLOYMENT = parse(`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  namespace: prod
  labels: {app.kubernetes.io/name: shop, app.kubernetes.io/part-of: store}
  annotations: {deployment.kubernetes.io/revision: "3", kubernetes.io/change-cause: bump}
  finalizers: [example.com/keep]
spec:
  replicas: 3
  revisionHistoryLimit: 5
  progressDeadlineSeconds: 600
  minReadySeconds: 10
  paused: false
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}
  selector:
    matchLabels: {app.kubernetes.io/name: shop}
    matchExpressions: [{key: tier, operator: In, values: [web]}]
  template:
    metadata:
      labels: {app.kubernetes.io/name: shop, tier: web}
      annotations: {prometheus.io/scrape: "true"}
    spec:
      serviceAccountName: shop
      automountServiceAccountToken: false
      imagePullSecrets: [{name: regcred}]
      priorityClassName: high
      terminationGracePeriodSeconds: 45
      dnsPolicy: ClusterFirst
      dnsConfig: {nameservers: [1.1.1.1], searches: [svc.cluster.local], options: [{name: ndots, value: "2"}]}
      hostAliases: [{ip: 10.1.2.3, hostnames: [legacy.local]}]
      enableServiceLinks: false
      shareProcessNamespace: true
      restartPolicy: Always
      schedulerName: default-scheduler
      runtimeClassName: runc
      os: {name: linux}
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        runAsGroup: 10001
        fsGroup: 2000
        fsGroupChangePolicy: OnRootMismatch
        supplementalGroups: [3000]
        seccompProfile: {type: RuntimeDefault}
        sysctls: [{name: net.ipv4.ip_local_port_range, value: "1024 65535"}]
        seLinuxOptions: {level: "s0:c123,c456"}
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [amd64, arm64]}]
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 50
            preference: {matchExpressions: [{key: disktype, operator: In, values: [ssd]}]}
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              labelSelector: {matchLabels: {app.kubernetes.io/name: shop}}
              topologyKey: kubernetes.io/hostname
              namespaces: [prod]
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchExpressions: [{key: tier, operator: Exists}]}
            topologyKey: topology.kubernetes.io/zone
            namespaceSelector: {}
        podAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 10
            podAffinityTerm: {labelSelector: {matchLabels: {app: cache}}, topologyKey: kubernetes.io/hostname, matchLabelKeys: [pod-template-hash]}
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: topology.kubernetes.io/zone
        whenUnsatisfiable: ScheduleAnyway
        labelSelector: {matchLabels: {app.kubernetes.io/name: shop}}
        minDomains: 2
        nodeAffinityPolicy: Honor
        nodeTaintsPolicy: Ignore
        matchLabelKeys: [pod-template-hash]
      tolerations:
      - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30}
      nodeSelector: {kubernetes.io/os: linux}
      initContainers:
      - name: migrate
        image: registry.example.com/shop-migrate:1.4.0
        command: [/bin/migrate, --wait]
        envFrom: [{configMapRef: {name: shop-db}}, {secretRef: {name: shop-db, optional: false}, prefix: DB_}]
      - name: proxy
        image: envoyproxy/envoy:v1.31.0
        restartPolicy: Always
        ports: [{name: admin, containerPort: 9901}]
      containers:
      - name: web
        image: registry.example.com/shop:1.4.0
        imagePullPolicy: IfNotPresent
        command: [/shop]
        args: [--port=8080, --log-level=info]
        workingDir: /srv
        ports:
        - {name: http, containerPort: 8080, protocol: TCP}
        - {name: metrics, containerPort: 9090, hostPort: 0}
        env:
        - {name: MODE, value: production}
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name, apiVersion: v1}}
        - name: DB_PASSWORD
          valueFrom: {secretKeyRef: {name: shop-db, key: password, optional: false}}
        - name: FEATURE_FLAGS
          valueFrom: {configMapKeyRef: {name: shop, key: flags}}
        - name: MEMORY_LIMIT
          valueFrom: {resourceFieldRef: {containerName: web, resource: limits.memory, divisor: 1Mi}}
        resources:
          requests: {cpu: 250m, memory: 256Mi, ephemeral-storage: 1Gi}
          limits: {cpu: "1", memory: 512Mi}
        livenessProbe:
          httpGet: {path: /healthz, port: http, scheme: HTTP, httpHeaders: [{name: X-Probe, value: liveness}]}
          initialDelaySeconds: 10
          periodSeconds: 10
          timeoutSeconds: 2
          failureThreshold: 3
          successThreshold: 1
          terminationGracePeriodSeconds: 30
        readinessProbe:
          tcpSocket: {port: 8080}
          periodSeconds: 5
        startupProbe:
          exec: {command: [cat, /tmp/ready]}
          failureThreshold: 30
        lifecycle:
          postStart: {httpGet: {path: /warm, port: 8080}}
          preStop: {sleep: {seconds: 5}}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          privileged: false
          runAsNonRoot: true
          capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
          seccompProfile: {type: RuntimeDefault}
          appArmorProfile: {type: RuntimeDefault}
        volumeMounts:
        - {name: config, mountPath: /etc/shop, readOnly: true}
        - {name: cache, mountPath: /var/cache/shop, subPath: web, mountPropagation: None}
        - {name: token, mountPath: /var/run/secrets/tokens}
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: FallbackToLogsOnError
        stdin: false
        tty: false
        resizePolicy: [{resourceName: cpu, restartPolicy: NotRequired}]
      volumes:
      - name: config
        configMap: {name: shop, defaultMode: 420, items: [{key: app.yaml, path: app.yaml, mode: 256}]}
      - name: tls
        secret: {secretName: shop-tls, optional: true, defaultMode: 256}
      - name: cache
        emptyDir: {medium: Memory, sizeLimit: 128Mi}
      - name: host-logs
        hostPath: {path: /var/log, type: Directory}
      - name: data
        persistentVolumeClaim: {claimName: shop-data, readOnly: false}
      - name: token
        projected:
          defaultMode: 420
          sources:
          - serviceAccountToken: {audience: vault, expirationSeconds: 3600, path: token}
          - configMap: {name: kube-root-ca.crt, items: [{key: ca.crt, path: ca.crt}]}
          - downwardAPI: {items: [{path: namespace, fieldRef: {fieldPath: metadata.namespace}}]}
      - name: podinfo
        downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}
      - name: scratch
        ephemeral:
          volumeClaimTemplate:
            metadata: {labels: {type: scratch}}
            spec: {accessModes: [ReadWriteOnce], storageClassName: local-path, resources: {requests: {storage: 1Gi}}}
      - name: legacy
        rbd: {monitors: [10.0.0.1:6789], image: foo, user: admin, keyring: /etc/ceph/keyring}
`);

const POD = parse(`
apiVersion: v1
kind: Pod
metadata:
  name: shop-7d9c5b7f9-x2x4p
  generateName: shop-7d9c5b7f9-
  namespace: prod
  uid: 0b8e1a4e-3c1d-4d6f-9b3a-6a1f2e7c9d10
  resourceVersion: "81234"
  generation: 1
  creationTimestamp: "2026-01-01T10:00:00Z"
  labels: {app.kubernetes.io/name: shop, pod-template-hash: 7d9c5b7f9}
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: shop-7d9c5b7f9, uid: 6f1f0c1e-1111-2222-3333-444455556666, controller: true, blockOwnerDeletion: true}
  managedFields:
  - manager: kube-controller-manager
    operation: Update
    apiVersion: v1
    time: "2026-01-01T10:00:00Z"
    fieldsType: FieldsV1
    fieldsV1: {"f:metadata": {"f:labels": {".": {}, "f:app.kubernetes.io/name": {}}}}
spec:
  nodeName: w1
  containers:
  - name: web
    image: registry.example.com/shop:1.4.0
    resources: {requests: {cpu: 250m}}
    terminationMessagePath: /dev/termination-log
    terminationMessagePolicy: File
    imagePullPolicy: IfNotPresent
  preemptionPolicy: PreemptLowerPriority
  priority: 1000
  hostNetwork: false
  hostPID: false
  hostIPC: false
  hostUsers: true
  hostname: shop-0
  subdomain: shop
  setHostnameAsFQDN: false
  activeDeadlineSeconds: 3600
  readinessGates: [{conditionType: example.com/ready}]
  schedulingGates: []
  overhead: {cpu: 10m}
  ephemeralContainers:
  - name: debugger
    image: busybox
    targetContainerName: web
    stdin: true
    tty: true
status:
  phase: Running
  qosClass: Burstable
  hostIP: 192.168.56.11
  hostIPs: [{ip: 192.168.56.11}]
  podIP: 10.244.1.7
  podIPs: [{ip: 10.244.1.7}]
  startTime: "2026-01-01T10:00:01Z"
  observedGeneration: 1
  conditions:
  - {type: PodReadyToStartContainers, status: "True", lastProbeTime: null, lastTransitionTime: "2026-01-01T10:00:03Z"}
  - {type: Initialized, status: "True", lastProbeTime: null, lastTransitionTime: "2026-01-01T10:00:03Z"}
  - {type: Ready, status: "True", lastProbeTime: null, lastTransitionTime: "2026-01-01T10:00:09Z", observedGeneration: 1}
  - {type: PodScheduled, status: "True", lastProbeTime: null, lastTransitionTime: "2026-01-01T10:00:00Z"}
  containerStatuses:
  - name: web
    ready: true
    started: true
    restartCount: 1
    image: registry.example.com/shop:1.4.0
    imageID: docker-pullable://registry.example.com/shop@sha256:abc
    containerID: docker://f00
    state: {running: {startedAt: "2026-01-01T10:00:05Z"}}
    lastState: {terminated: {exitCode: 137, reason: OOMKilled, signal: 9, startedAt: "2026-01-01T10:00:02Z", finishedAt: "2026-01-01T10:00:04Z", containerID: docker://e00, message: killed}}
    volumeMounts: [{name: kube-api-access, mountPath: /var/run/secrets/kubernetes.io/serviceaccount, readOnly: true, recursiveReadOnly: Disabled}]
    user: {linux: {uid: 10001, gid: 10001, supplementalGroups: [10001]}}
    allocatedResources: {cpu: 250m}
    resources: {requests: {cpu: 250m}}
  ephemeralContainerStatuses:
  - {name: debugger, ready: false, restartCount: 0, image: busybox, imageID: "", state: {waiting: {reason: ContainerCreating, message: pulling}}}
`);

const SERVICE = parse(`
apiVersion: v1
kind: Service
metadata:
  name: shop
  namespace: prod
  labels: {app.kubernetes.io/name: shop}
  annotations: {service.beta.kubernetes.io/aws-load-balancer-type: nlb}
spec:
  type: LoadBalancer
  selector: {app.kubernetes.io/name: shop}
  clusterIP: 10.96.12.34
  clusterIPs: [10.96.12.34]
  ipFamilies: [IPv4]
  ipFamilyPolicy: SingleStack
  ports:
  - {name: http, protocol: TCP, port: 80, targetPort: http, nodePort: 31080, appProtocol: http}
  - {name: https, protocol: TCP, port: 443, targetPort: 8443}
  sessionAffinity: ClientIP
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 10800}}
  externalTrafficPolicy: Local
  internalTrafficPolicy: Cluster
  healthCheckNodePort: 32000
  loadBalancerSourceRanges: [203.0.113.0/24]
  loadBalancerClass: example.com/lb
  allocateLoadBalancerNodePorts: true
  publishNotReadyAddresses: false
  externalIPs: [198.51.100.7]
  trafficDistribution: PreferClose
status:
  loadBalancer:
    ingress: [{ip: 203.0.113.10, ipMode: VIP, ports: [{port: 80, protocol: TCP}]}]
  conditions: [{type: LoadBalancerReady, status: "True", reason: Provisioned, message: ok, lastTransitionTime: "2026-01-01T10:00:00Z"}]
`);

const NODE = parse(`
apiVersion: v1
kind: Node
metadata:
  name: w1
  labels:
    kubernetes.io/hostname: w1
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    node-role.kubernetes.io/worker: ""
  annotations: {node.alpha.kubernetes.io/ttl: "0", volumes.kubernetes.io/controller-managed-attach-detach: "true"}
spec:
  podCIDR: 10.244.1.0/24
  podCIDRs: [10.244.1.0/24]
  providerID: vagrant://w1
  unschedulable: false
  taints: [{key: dedicated, value: web, effect: NoSchedule, timeAdded: "2026-01-01T09:00:00Z"}]
status:
  phase: Running
  addresses: [{type: InternalIP, address: 192.168.56.11}, {type: Hostname, address: w1}]
  capacity: {cpu: "2", memory: 4026124Ki, pods: "110", ephemeral-storage: 41152736Ki, hugepages-2Mi: "0"}
  allocatable: {cpu: "2", memory: 3923724Ki, pods: "110", ephemeral-storage: "37926361435"}
  conditions:
  - {type: MemoryPressure, status: "False", lastHeartbeatTime: "2026-01-01T10:00:00Z", lastTransitionTime: "2026-01-01T09:00:00Z", reason: KubeletHasSufficientMemory, message: kubelet has sufficient memory available}
  - {type: Ready, status: "True", lastHeartbeatTime: "2026-01-01T10:00:00Z", lastTransitionTime: "2026-01-01T09:00:10Z", reason: KubeletReady, message: kubelet is posting ready status}
  daemonEndpoints: {kubeletEndpoint: {Port: 10250}}
  images: [{names: ["nginx@sha256:abc", "nginx:1.27"], sizeBytes: 191998640}]
  nodeInfo:
    machineID: 8f2a
    systemUUID: 1c2d
    bootID: 77aa
    kernelVersion: 6.1.0-18-amd64
    osImage: Debian GNU/Linux 12 (bookworm)
    containerRuntimeVersion: docker://27.3.1
    kubeletVersion: v1.32.0
    kubeProxyVersion: v1.32.0
    operatingSystem: linux
    architecture: amd64
  volumesInUse: [kubernetes.io/csi/ebs^vol-1]
  volumesAttached: [{name: kubernetes.io/csi/ebs^vol-1, devicePath: ""}]
  runtimeHandlers: [{name: runc, features: {recursiveReadOnlyMounts: true, userNamespaces: false}}]
  features: {supplementalGroupsPolicy: true}
  config: {active: {configMap: {name: kubelet, namespace: kube-system, kubeletConfigKey: kubelet, resourceVersion: "1"}}}
`);

const manifests: [string, { apiVersion: string; kind: string }][] = [
  ['Deployment', DEPLOYMENT],
  ['Pod', POD],
  ['Service', SERVICE],
  ['Node', NODE],
];
for (const [name, obj] of manifests) {
  test(`a realistic full ${name} manifest has no unknown fields`, (t) => {
    t.deepEqual(unknownFields(obj.apiVersion, obj.kind, obj), []);
  });
}

for (const [name, obj] of manifests) {
  test(`kubectl's strategic-merge lookup can descend into every map and list of the ${name} manifest`, (t) => {
    // PatchMetaFromOpenAPIV3.traverse fails ("unable to find api field") when a map or list sits
    // under a schema without properties; kubectl then warns and falls back to /openapi/v2.
    const doc = docOf(obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0]! : '', obj.apiVersion.split('/').pop()!);
    const root = Object.values(doc.components.schemas).find((s) =>
      ((s['x-kubernetes-group-version-kind'] as { kind: string }[] | undefined) ?? []).some((g) => g.kind === obj.kind),
    )!;
    const failures: string[] = [];
    const walk = (value: unknown, schema: Schema, path: string) => {
      if (Array.isArray(value)) {
        const items = schema.items ? resolveIn(doc, schema.items) : undefined;
        for (const v of value) if (v && typeof v === 'object' && items) walk(v, items, `${path}[]`);
        return;
      }
      for (const [k, v] of Object.entries(value as object)) {
        if (!v || typeof v !== 'object') continue;
        if (schema.additionalProperties) continue; // a map of scalars: nothing to look up
        const sub = schema.properties?.[k];
        if (!sub) {
          // Expected only under the free-form volume sources (schemas/volumes.ts) and under
          // managedFields' fieldsV1, which Kubernetes' own schema leaves opaque too.
          if (!path.endsWith('volumes[].rbd') && !path.endsWith('managedFields[].fieldsV1')) failures.push(`${path}.${k}`);
          continue;
        }
        walk(v, Array.isArray(v) ? sub : resolveIn(doc, sub), `${path}.${k}`);
      }
    };
    walk(obj, root, '');
    t.deepEqual(failures, []);
  });
}

// ---- unknown fields ----

test('unknownFields finds typos at several depths, in document order, as the strict decoder names them', (t) => {
  const obj = structuredClone(DEPLOYMENT);
  obj.metadata.labelz = { a: 'b' };
  obj.spec.replica = 3;
  obj.spec.template.spec.containers[0].imagee = 'nginx';
  obj.spec.template.spec.containers[0].ports[1].containerPortZ = 1;
  obj.spec.template.spec.containers[0].securityContext.capabilities.dropp = ['ALL'];
  obj.spec.template.spec.volumes[0].configMap.nam = 'x';
  obj.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operater = 'In';
  t.deepEqual(unknownFields('apps/v1', 'Deployment', obj), [
    'metadata.labelz',
    'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operater',
    'spec.template.spec.containers[0].ports[1].containerPortZ',
    'spec.template.spec.containers[0].securityContext.capabilities.dropp',
    'spec.template.spec.containers[0].imagee',
    'spec.template.spec.volumes[0].configMap.nam',
    'spec.replica',
  ]);
});

test('unknownFields does not look inside an unknown field, and free-form subtrees accept anything', (t) => {
  t.deepEqual(unknownFields('v1', 'ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, dataa: { nested: { deeper: 1 } } }), ['dataa']);
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { anything: 'goes' } }, spec: { containers: [], volumes: [{ name: 'v', rbd: { whatever: { x: 1 } } }] } };
  t.deepEqual(unknownFields('v1', 'Pod', pod), []);
});

test('unknownFields checks every kind and subresource body it has a schema for', (t) => {
  t.deepEqual(unknownFields('v1', 'Service', { spec: { ports: [{ port: 80, targetport: 8080 }] } }), ['spec.ports[0].targetport']);
  t.deepEqual(unknownFields('v1', 'Node', { status: { nodeInfo: { kernalVersion: '6' } } }), ['status.nodeInfo.kernalVersion']);
  t.deepEqual(unknownFields('coordination.k8s.io/v1', 'Lease', { spec: { holder: 'x' } }), ['spec.holder']);
  t.deepEqual(unknownFields('autoscaling/v1', 'Scale', { spec: { replicas: 2, replica: 1 } }), ['spec.replica']);
  t.deepEqual(unknownFields('v1', 'Binding', { target: { kind: 'Node', name: 'w1', nodeName: 'w1' } }), ['target.nodeName']);
  t.deepEqual(unknownFields('policy/v1', 'Eviction', { deleteOptions: { gracePeriod: 1 } }), ['deleteOptions.gracePeriod']);
  t.deepEqual(unknownFields('v1', 'Event', { involvedObject: { kind: 'Pod' }, sourcee: {} }), ['sourcee']);
});

test('unknownFields cannot judge a kind it has no schema for', (t) => {
  t.deepEqual(unknownFields('batch/v1', 'Job', { spec: { nonsense: true } }), []);
  t.deepEqual(unknownFields('apps/v2', 'Deployment', { spec: { replica: 1 } }), []);
});

test('strict decoding messages are worded as the API server words them', (t) => {
  t.is(strictDecodingErrorMessage(['spec.replica', 'spec.template.spec.containers[0].imagee']), 'strict decoding error: unknown field "spec.replica", unknown field "spec.template.spec.containers[0].imagee"');
  t.is(
    cannotBeHandledMessage('Deployment', 'v1', strictDecodingErrorMessage(['spec.replica'])),
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"',
  );
});

// ---- completeness against Kubernetes' own type list ----

type AttributeMap = { baseName: string; type: string }[];
const models = k8sModels as unknown as Record<string, { attributeTypeMap?: AttributeMap }>;

test('the schemas know every field of the Kubernetes types of our kinds (as @kubernetes/client-node declares them)', (t) => {
  // client-node is generated from Kubernetes' OpenAPI; walking from each kind's model, every field
  // must exist in our schema unless our schema there is deliberately free-form.
  const roots: [string, string][] = RESOURCES.map((r) => [
    r.kind === 'Event' ? 'CoreV1Event' : `V1${r.kind}`,
    `io.k8s.api.${r.group === '' ? 'core' : r.group.split('.')[0]}.${r.version}.${r.kind}`,
  ]);
  roots.push(['V1Scale', 'io.k8s.api.autoscaling.v1.Scale'], ['V1Eviction', 'io.k8s.api.policy.v1.Eviction'], ['V1Binding', 'io.k8s.api.core.v1.Binding']);
  const missing: string[] = [];
  const seen = new Set<string>();
  let checked = 0;
  const visit = (model: string, schema: Schema, where: string) => {
    const s = resolveComponent(schema);
    if (s['x-kubernetes-preserve-unknown-fields'] || seen.has(model)) return;
    seen.add(model);
    for (const attr of models[model]!.attributeTypeMap ?? []) {
      checked++;
      const field = s.properties?.[attr.baseName];
      if (!field) {
        missing.push(`${where}.${attr.baseName}`);
        continue;
      }
      const inner = /^(?:Array<|\{ \[key: string\]: )?(\w+)/.exec(attr.type)![1]!;
      if (!models[inner]?.attributeTypeMap || inner === 'V1MicroTime') continue;
      const sub = field.items ?? field.additionalProperties ?? field;
      visit(inner, sub, `${where}.${attr.baseName}`);
    }
  };
  for (const [model, name] of roots) visit(model, { $ref: `#/components/schemas/${name}` }, model);
  t.true(checked > 500);
  t.deepEqual(missing, []);
});

function resolveComponent(s: Schema): Schema {
  let cur = s;
  for (;;) {
    if (cur.allOf?.length) cur = cur.allOf[0]!;
    else if (cur.$ref) cur = componentSchema(cur.$ref.replace('#/components/schemas/', ''))!;
    else return cur;
  }
}

test('every RESOURCES kind resolves to a schema by its apiVersion and kind', (t) => {
  for (const r of RESOURCES) {
    t.deepEqual(unknownFields(apiVersionOf(r), r.kind, { apiVersion: apiVersionOf(r), kind: r.kind, metadata: { name: 'x' } }), []);
    t.deepEqual(unknownFields(apiVersionOf(r), r.kind, { metadataa: {} }), ['metadataa'], `${r.kind} has no schema`);
  }
});
