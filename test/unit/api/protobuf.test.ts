/**
 * The Kubernetes protobuf decoder (src/api/protobuf): bodies kubectl really sent (fixtures under
 * test/fixtures/protobuf, and a live capture from /usr/bin/kubectl when it is installed), and
 * hand-built messages for each wire rule and each apimachinery type. Hand-built messages are
 * encoded with protobufjs' Writer, an encoder independent of the decoder under test.
 *
 * KUBELAB_WRITE_PROTOBUF_FIXTURES=1 makes the capture test rewrite the fixtures from kubectl.
 */
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import protobuf from 'protobufjs/minimal.js';
import { apiGroupList, apiResourceList, apiVersions } from '../../../src/api/discovery.js';
import { StatusError } from '../../../src/api/errors.js';
import { componentSchema } from '../../../src/api/openapi/index.js';
import { compileSchemas, type Message, type MessageSet } from '../../../src/api/protobuf/dsl.js';
import { decodeProtobufObject, MESSAGES, messageForKind, protobufKinds, ProtobufError, unknownProtobufFields } from '../../../src/api/protobuf/index.js';
import { apiVersionOf, RESOURCES } from '../../../src/api/resources.js';
import { writeKubeconfig } from '../../../src/bootstrap/kubeconfig.js';
import { decodeBody } from '../../../src/control/apiserver/codec.js';
import { haveKubectl, KUBECTL, testPki } from '../../helpers/kubectl.js';
import { tempDir } from '../../helpers/tmp.js';

const FIXTURES = new URL('../../fixtures/protobuf/', import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));
const decode = (body: Buffer | Uint8Array) => decodeProtobufObject(Buffer.from(body));
/** JSON round trip: what the server would store, without undefined or prototype details. */
const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

// ---- an independent encoder for hand-built messages ----

/** A field: number and value; a nested array is a nested message. Numbers are written as varints. */
type Field = [number, string | number | boolean | Uint8Array | Field[]];

function msg(...fields: Field[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const [n, v] of fields) {
    if (typeof v === 'string') w.uint32((n << 3) | 2).string(v);
    else if (typeof v === 'number') w.uint32(n << 3).int64(v);
    else if (typeof v === 'boolean') w.uint32(n << 3).bool(v);
    else if (v instanceof Uint8Array) w.uint32((n << 3) | 2).bytes(v);
    else w.uint32((n << 3) | 2).bytes(msg(...v));
  }
  return w.finish();
}

const MAGIC = Buffer.from('k8s\0', 'latin1');

/** The envelope client-go writes: runtime.Unknown with empty contentEncoding and contentType. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array, extra: Field[] = [[3, ''], [4, '']]): Buffer {
  return Buffer.concat([MAGIC, msg([1, [[1, apiVersion], [2, kind]]], [2, raw], ...extra)]);
}

const meta = (name: string): Field => [1, [[1, name]]];

// ---- bodies kubectl sent ----

const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', creationTimestamp: null }, spec: {}, status: {} };

test('kubectl create namespace: the captured body decodes to the Namespace kubectl meant', (t) => {
  t.deepEqual(asJson(decode(fixture('namespace.bin')).object), NAMESPACE);
});

test('kubectl create configmap: literal values land in data, binary files in binaryData as base64', (t) => {
  t.deepEqual(asJson(decode(fixture('configmap.bin')).object), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'app-config', creationTimestamp: null },
    data: { mode: 'fast', 'settings.txt': 'debug=true\n' },
    binaryData: { 'blob.bin': '//4AAQ==' },
  });
});

const DEPLOYMENT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { creationTimestamp: null, labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 8080 }], resources: {} }] },
    },
    strategy: {},
  },
  status: {},
};

test('kubectl create deployment: replicas, image, container port and selector survive decoding', (t) => {
  t.deepEqual(asJson(decode(fixture('deployment.bin')).object), DEPLOYMENT);
});

test('kubectl create service clusterip: the port, the numeric targetPort and the type decode', (t) => {
  t.deepEqual(asJson(decode(fixture('service-clusterip.bin')).object), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
    spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'web' }, type: 'ClusterIP' },
    status: { loadBalancer: {} },
  });
});

test('kubectl create service nodeport: the requested nodePort decodes', (t) => {
  t.deepEqual(asJson(decode(fixture('service-nodeport.bin')).object), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web-np', creationTimestamp: null, labels: { app: 'web-np' } },
    spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }], selector: { app: 'web-np' }, type: 'NodePort' },
    status: { loadBalancer: {} },
  });
});

test('kubectl debug node: the Pod keeps host namespaces, the hostPath volume and the toleration', (t) => {
  const { object } = decode(fixture('pod-debug-node.bin'));
  const pod = asJson(object) as { metadata: { name: string }; spec: Record<string, unknown> };
  t.regex(pod.metadata.name, /^node-debugger-n1-[a-z0-9]{5}$/);
  t.like(pod.spec, { nodeName: 'n1', hostNetwork: true, hostPID: true, hostIPC: true, restartPolicy: 'Never', tolerations: [{ operator: 'Exists' }] });
  t.deepEqual(pod.spec.volumes, [{ name: 'host-root', hostPath: { path: '/' } }]);
  t.deepEqual(pod.spec.containers, [
    { name: 'debugger', image: 'busybox:1.36', resources: {}, volumeMounts: [{ name: 'host-root', mountPath: '/host' }], terminationMessagePolicy: 'File' },
  ]);
});

test('kubectl drain --disable-eviction --grace-period=0: the DeleteOptions keep the explicit zero', (t) => {
  t.deepEqual(asJson(decode(fixture('deleteoptions-drain.bin')).object), { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 });
});

// ---- a live capture from kubectl ----

interface Captured {
  method: string;
  path: string;
  contentType: string | undefined;
  body: Buffer;
}

const NODE = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: {}, status: {} };
const POD = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', namespace: 'default' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] }, status: { phase: 'Running' } };

/**
 * A throwaway HTTPS server that serves discovery from src/api/discovery.ts and just enough of
 * nodes and pods for kubectl drain and debug, and records every request with a body. A created
 * object is echoed back as the JSON decoded from it, which is all kubectl reads of the answer.
 */
async function captureServer(t: ExecutionContext): Promise<{ url: string; captured: Captured[] }> {
  const captured: Captured[] = [];
  const { serving } = testPki();
  const server: Server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url!, 'https://localhost');
      const parts = url.pathname.split('/').filter(Boolean);
      const send = (code: number, o: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(o));
      };
      const notFound = () => send(404, { apiVersion: 'v1', kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: `${url.pathname} not found` });
      if (body.length > 0) captured.push({ method: req.method!, path: url.pathname, contentType: req.headers['content-type'], body });
      if (req.method === 'GET') {
        if (url.pathname === '/api') return send(200, apiVersions());
        if (url.pathname === '/apis') return send(200, apiGroupList());
        if (parts[0] === 'api' && parts.length === 2) return send(200, apiResourceList('', parts[1]!));
        if (parts[0] === 'apis' && parts.length === 3) return apiResourceList(parts[1]!, parts[2]!) ? send(200, apiResourceList(parts[1]!, parts[2]!)) : notFound();
        if (url.pathname === '/api/v1/nodes/n1') return send(200, NODE);
        // Drain lists the node's pods until the deleted one is gone: first p1, then nothing.
        if (url.pathname === '/api/v1/pods') return send(200, { apiVersion: 'v1', kind: 'PodList', metadata: {}, items: captured.some((c) => c.method === 'DELETE') ? [] : [POD] });
        return notFound();
      }
      if (req.method === 'PATCH' && url.pathname === '/api/v1/nodes/n1') return send(200, { ...NODE, spec: { unschedulable: true } });
      if (req.method === 'DELETE') return send(200, POD);
      if (req.method === 'POST') {
        const object = req.headers['content-type'] === 'application/vnd.kubernetes.protobuf' ? decodeProtobufObject(body).object : JSON.parse(body.toString());
        return send(201, object);
      }
      return notFound();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `https://127.0.0.1:${(server.address() as { port: number }).port}`, captured };
}

const run = promisify(execFile);

const kt = haveKubectl ? test : test.skip;
if (!haveKubectl) console.warn('protobuf capture test skipped: /usr/bin/kubectl not found (set KUBECTL to its path)');

kt('what kubectl sends as protobuf decodes to the JSON kubectl --dry-run=client -o json prints', async (t) => {
  const { url, captured } = await captureServer(t);
  const dir = tempDir(t);
  const kubeconfig = join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, { cluster: 'capture', server: url, token: 'capture-token', ca: testPki().ca.cert });
  writeFileSync(join(dir, 'settings.txt'), 'debug=true\n');
  writeFileSync(join(dir, 'blob.bin'), Buffer.from([0xff, 0xfe, 0x00, 0x01]));
  const kubectl = async (args: string[]) =>
    (await run(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000, env: { ...process.env, HOME: dir, KUBECACHEDIR: join(dir, 'cache') } })).stdout;
  const creates: Record<string, string[]> = {
    'namespace.bin': ['create', 'namespace', 'team-a'],
    'configmap.bin': ['create', 'configmap', 'app-config', '--from-literal=mode=fast', `--from-file=${join(dir, 'settings.txt')}`, `--from-file=${join(dir, 'blob.bin')}`],
    'deployment.bin': ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3', '--port=8080'],
    'service-clusterip.bin': ['create', 'service', 'clusterip', 'web', '--tcp=80:8080'],
    'service-nodeport.bin': ['create', 'service', 'nodeport', 'web-np', '--tcp=80:8080', '--node-port=30080'],
  };
  const bodies = new Map<string, Buffer>();
  for (const [name, args] of Object.entries(creates)) {
    const before = captured.length;
    await kubectl(args);
    const sent = captured.slice(before).filter((c) => c.method === 'POST');
    t.is(sent.length, 1, `kubectl ${args.join(' ')} sent one POST`);
    t.is(sent[0]!.contentType, 'application/vnd.kubernetes.protobuf', `kubectl ${args.join(' ')} sent protobuf`);
    const expected = JSON.parse(await kubectl([...args, '--dry-run=client', '-o', 'json']));
    const got = decode(sent[0]!.body);
    t.deepEqual(asJson(got.object), expected, `kubectl ${args.join(' ')}`);
    t.deepEqual(got.unknownFields, []);
    bodies.set(name, sent[0]!.body);
  }

  let before = captured.length;
  await kubectl(['debug', 'node/n1', '--image=busybox:1.36', '--profile=legacy']);
  const pod = captured.slice(before).find((c) => c.method === 'POST' && c.path === '/api/v1/namespaces/default/pods')!;
  t.is(pod.contentType, 'application/vnd.kubernetes.protobuf');
  t.like(decode(pod.body).object, { apiVersion: 'v1', kind: 'Pod', spec: { nodeName: 'n1', hostPID: true } });
  bodies.set('pod-debug-node.bin', pod.body);

  before = captured.length;
  await kubectl(['drain', 'n1', '--disable-eviction', '--force', '--grace-period=0', '--timeout=30s']);
  const del = captured.slice(before).find((c) => c.method === 'DELETE')!;
  t.is(del.contentType, 'application/vnd.kubernetes.protobuf');
  t.deepEqual(asJson(decode(del.body).object), { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 });
  bodies.set('deleteoptions-drain.bin', del.body);

  if (process.env.KUBELAB_WRITE_PROTOBUF_FIXTURES === '1') {
    for (const [name, body] of bodies) writeFileSync(new URL(name, FIXTURES), body);
  }
});

// ---- hand-built messages: apimachinery types ----

test('IntOrString decodes to a number for type 0 and a string for type 1, negative ints included', (t) => {
  const svc = (targetPort: Field[]) => decode(envelope('v1', 'Service', msg([2, [[1, [[3, 80], [4, targetPort]]]]]))).object;
  t.like(svc([[1, 0], [2, 8080], [3, '']]), { spec: { ports: [{ port: 80, targetPort: 8080 }] } });
  t.like(svc([[1, 1], [2, 0], [3, 'http']]), { spec: { ports: [{ port: 80, targetPort: 'http' }] } });
  t.like(svc([[1, 0], [2, -5]]), { spec: { ports: [{ targetPort: -5 }] } });
  // gogo writes an unset IntOrString as {type: 0, intVal: 0}; Go's JSON is 0, and so is an empty message.
  t.like(svc([]), { spec: { ports: [{ targetPort: 0 }] } });
  t.throws(() => svc([[1, 7]]), { instanceOf: ProtobufError, message: /IntOrString at offset \d+ has type 7/ });
});

test('RollingUpdateDeployment percentages decode as IntOrString strings', (t) => {
  const strategy = msg([1, 'RollingUpdate'], [2, [[1, [[1, 1], [3, '25%']]], [2, [[1, 0], [2, 2]]]]]);
  const { object } = decode(envelope('apps/v1', 'Deployment', msg(meta('web'), [2, [[4, strategy]]])));
  t.deepEqual(asJson(object), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 2 } } },
  });
});

test('Quantity decodes to its string, in single fields and in resource maps; an empty one is "0"', (t) => {
  const quantity = (s?: string): Field[] => (s === undefined ? [] : [[1, s]]);
  const container = msg([1, 'c'], [8, [[1, [[1, 'cpu'], [2, quantity('500m')]]], [2, [[1, 'memory'], [2, quantity('64Mi')]]], [2, [[1, 'cpu'], [2, quantity()]]]]]);
  const volume = msg([1, 'scratch'], [2, [[2, [[1, 'Memory'], [2, quantity('1Gi')]]]]]);
  const { object } = decode(envelope('v1', 'Pod', msg(meta('p'), [2, [[2, container], [1, volume]]])));
  t.deepEqual(asJson(object), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: {
      containers: [{ name: 'c', resources: { limits: { cpu: '500m' }, requests: { memory: '64Mi', cpu: '0' } } }],
      volumes: [{ name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } }],
    },
  });
});

test('Time decodes to RFC 3339 seconds in UTC, dropping nanoseconds; an empty Time is null', (t) => {
  const { object } = decode(envelope('v1', 'Namespace', msg([1, [[1, 'ns'], [8, [[1, 1795580555], [2, 999_999_999]]], [9, []]]])));
  t.deepEqual(asJson(object), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', creationTimestamp: '2026-11-25T04:22:35Z', deletionTimestamp: null } });
});

test('Go\'s zero time.Time written out in full still decodes to null', (t) => {
  const { object } = decode(envelope('v1', 'Namespace', msg([1, [[8, [[1, -62135596800], [2, 0]]]]])));
  t.deepEqual(asJson(object), { apiVersion: 'v1', kind: 'Namespace', metadata: { creationTimestamp: null } });
});

test('MicroTime decodes with six fractional digits, as Lease renewTime is written', (t) => {
  const spec = msg([1, 'kube-scheduler-a'], [2, 15], [3, [[1, 1795580555]]], [4, [[1, 1795580555], [2, 123_456_789]]], [5, 0]);
  const { object } = decode(envelope('coordination.k8s.io/v1', 'Lease', msg(meta('kube-scheduler'), [2, spec])));
  t.deepEqual(asJson(object), {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'kube-scheduler' },
    spec: { holderIdentity: 'kube-scheduler-a', leaseDurationSeconds: 15, acquireTime: '2026-11-25T04:22:35.000000Z', renewTime: '2026-11-25T04:22:35.123456Z', leaseTransitions: 0 },
  });
});

test('a Time outside 0001..9999 or with out-of-range nanos is a ProtobufError', (t) => {
  t.throws(() => decode(envelope('v1', 'Namespace', msg([1, [[8, [[1, 1e15]]]]]))), { instanceOf: ProtobufError, message: /outside years 0001\.\.9999/ });
  t.throws(() => decode(envelope('v1', 'Namespace', msg([1, [[8, [[1, 0], [2, -1]]]]]))), { instanceOf: ProtobufError, message: /nanos -1/ });
});

test('managedFields decode with fieldsV1 as the JSON object its bytes hold', (t) => {
  const entry = msg([1, 'kubectl'], [2, 'Update'], [3, 'v1'], [6, 'FieldsV1'], [7, [[1, Buffer.from('{"f:data":{"f:a":{}}}')]]]);
  const { object } = decode(envelope('v1', 'ConfigMap', msg([1, [[1, 'c'], [17, entry]]])));
  t.deepEqual(asJson(object), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }] },
  });
  t.throws(() => decode(envelope('v1', 'ConfigMap', msg([1, [[17, [[7, [[1, Buffer.from('{oops')]]]]]]]))), { instanceOf: ProtobufError, message: /FieldsV1 at offset \d+ does not hold JSON/ });
});

// ---- hand-built messages: wire rules ----

test('maps decode to objects: the last duplicate key wins, a missing value is empty, "__proto__" stays a key', (t) => {
  const labels = (k: string, v?: string): Field => [11, v === undefined ? [[1, k]] : [[1, k], [2, v]]];
  const { object } = decode(envelope('v1', 'ConfigMap', msg([1, [labels('app', 'a'), labels('app', 'b'), labels('empty'), labels('__proto__', 'x')]])));
  const m = (object.metadata as { labels: Record<string, string> }).labels;
  t.deepEqual({ ...m }, { app: 'b', empty: '', ['__proto__']: 'x' });
  t.true(Object.hasOwn(m, '__proto__'));
  t.is(Object.getPrototypeOf(m), Object.prototype);
});

test('bytes map values decode to base64, empty ones to ""', (t) => {
  const { object } = decode(envelope('v1', 'ConfigMap', msg(meta('c'), [3, [[1, 'bin'], [2, Buffer.from([0, 1, 2, 250])]]], [3, [[1, 'none']]])));
  t.deepEqual(object.binaryData, { bin: 'AAEC+g==', none: '' });
});

test('nested repeated messages keep their order, and each element decodes its own repeated fields', (t) => {
  const port = (n: number, name: string) => [6, [[1, name], [3, n], [4, 'TCP']]] as Field;
  const env = (name: string, value: string) => [7, [[1, name], [2, value]]] as Field;
  const container = (name: string, ...rest: Field[]) => [2, [[1, name], ...rest]] as Field;
  const { object } = decode(envelope('v1', 'Pod', msg(meta('p'), [2, [container('a', port(80, 'http'), port(443, 'https'), env('X', '1')), container('b', env('Y', '2'), env('Z', '3'))]])));
  t.deepEqual(asJson((object.spec as { containers: unknown }).containers), [
    { name: 'a', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }, { name: 'https', containerPort: 443, protocol: 'TCP' }], env: [{ name: 'X', value: '1' }] },
    { name: 'b', env: [{ name: 'Y', value: '2' }, { name: 'Z', value: '3' }] },
  ]);
});

test('repeated varints decode both unpacked and packed', (t) => {
  const packed = protobuf.Writer.create().int64(1000).int64(2000).finish();
  const securityContext = msg([4, 5], [4, 6]);
  const pod = (sc: Uint8Array) => decode(envelope('v1', 'Pod', msg([2, [[14, sc]]]))).object as { spec: { securityContext: unknown } };
  t.deepEqual(pod(securityContext).spec.securityContext, { supplementalGroups: [5, 6] });
  const packedSc = Buffer.concat([Buffer.from([(4 << 3) | 2, packed.length]), packed]);
  t.deepEqual(pod(packedSc).spec.securityContext, { supplementalGroups: [1000, 2000] });
});

test('zero values: pointers and fields without omitempty keep them, other fields drop them as Go\'s JSON does', (t) => {
  const container = msg([1, 'c'], [6, [[2, 0], [3, 0]]], [16, false]);
  const spec = msg([11, false], [4, 0], [2, container], [8, '']);
  const { object } = decode(envelope('apps/v1', 'Deployment', msg([1, [[1, 'd'], [3, ''], [7, 0]]], [2, [[1, 0], [5, 0], [6, 0], [3, [[2, spec]]]]])));
  t.deepEqual(asJson(object), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    // replicas and revisionHistoryLimit are *int32; minReadySeconds is a plain int32.
    spec: { replicas: 0, revisionHistoryLimit: 0, template: { spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', ports: [{ containerPort: 0 }] }] } } },
  });
});

test('embedded structs (json ",inline") decode into their parent object', (t) => {
  const probe = msg([1, [[2, [[1, '/healthz'], [2, [[2, 8080]]]]]]], [3, 5]);
  const configMapKeyRef = msg([1, [[1, 'settings']]], [2, 'mode']);
  const container = msg([1, 'c'], [10, probe], [7, [[1, 'MODE'], [3, [[3, configMapKeyRef]]]]]);
  const volume = msg([1, 'cfg'], [2, [[19, [[1, [[1, 'settings']]], [3, 420]]]]]);
  const { object } = decode(envelope('v1', 'Pod', msg([2, [[2, container], [1, volume]]])));
  t.deepEqual(asJson(object.spec), {
    containers: [{ name: 'c', livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, timeoutSeconds: 5 }, env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } }] }],
    volumes: [{ name: 'cfg', configMap: { name: 'settings', defaultMode: 420 } }],
  });
});

test('a message field seen twice merges, a scalar seen twice keeps the last value', (t) => {
  const { object } = decode(envelope('v1', 'Namespace', msg([1, [[1, 'first'], [11, [[1, 'a'], [2, '1']]]]], [1, [[1, 'second'], [12, [[1, 'note'], [2, 'x']]]]])));
  t.deepEqual(asJson(object.metadata), { name: 'second', labels: { a: '1' }, annotations: { note: 'x' } });
});

test('unknown fields are skipped but reported with their message and path, and remembered for the object', (t) => {
  const container = msg([1, 'c'], [99, 'future'], [100, 7]);
  const body = envelope('apps/v1', 'Deployment', msg(meta('d'), [2, [[3, [[2, [[2, container], [77, [[1, 'x']]]]]]]]], [42, 'top']));
  const { object, unknownFields } = decode(body);
  t.deepEqual(unknownFields, [
    'unknown protobuf field 99 in k8s.io.api.core.v1.Container at spec.template.spec.containers[0]',
    'unknown protobuf field 100 in k8s.io.api.core.v1.Container at spec.template.spec.containers[0]',
    'unknown protobuf field 77 in k8s.io.api.core.v1.PodSpec at spec.template.spec',
    'unknown protobuf field 42 in k8s.io.api.apps.v1.Deployment',
  ]);
  t.deepEqual(asJson(object), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'c' }] } } } });
  t.is(unknownProtobufFields(object), unknownFields);
  t.is(unknownProtobufFields({ kind: 'Deployment' }), undefined);
});

// ---- malformed input ----

test('a body without the k8s\\0 magic, or with nothing after it, is a ProtobufError', (t) => {
  t.throws(() => decode(Buffer.from('{"kind":"Namespace"}')), { instanceOf: ProtobufError, message: /does not start with the magic bytes/ });
  t.throws(() => decode(Buffer.from('k8s')), { instanceOf: ProtobufError, message: /does not start with the magic bytes/ });
  t.throws(() => decode(MAGIC), { instanceOf: ProtobufError, message: /empty after its magic bytes/ });
});

test('every cut of a real body inside a field is a truncation error that names an offset', (t) => {
  const body = fixture('deployment.bin');
  // The envelope is typeMeta (field 1, its length in byte 5), raw, then client-go's empty
  // contentEncoding and contentType (4 bytes). Cutting between two fields leaves a valid message.
  const rawTag = MAGIC.length + 2 + body[MAGIC.length + 1]!;
  for (let n = MAGIC.length + 1; n < body.length - 4; n++) {
    if (n === rawTag) continue;
    const err = t.throws(() => decode(body.subarray(0, n)), { instanceOf: ProtobufError }, `cut at ${n}`);
    t.regex(err!.message, /truncated message at offset \d+/, `cut at ${n}`);
  }
  t.deepEqual(decode(body.subarray(0, rawTag)).object, { apiVersion: 'apps/v1', kind: 'Deployment' });
  t.deepEqual(asJson(decode(body.subarray(0, body.length - 4)).object), DEPLOYMENT);
});

test('garbage after the magic is always a ProtobufError, never another exception', (t) => {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
  for (let i = 0; i < 300; i++) {
    const junk = Buffer.from(Array.from({ length: 1 + (i % 40) }, rand));
    t.throws(() => decode(Buffer.concat([MAGIC, junk])), { instanceOf: ProtobufError }, `junk ${junk.toString('hex')}`);
    // The same junk as an object of a known kind: it may decode (as unknown fields) or fail, but only as a ProtobufError.
    try {
      decode(envelope('v1', 'Pod', junk));
    } catch (err) {
      t.true(err instanceof ProtobufError, `junk ${junk.toString('hex')} as a Pod threw ${(err as Error).name}: ${(err as Error).message}`);
    }
  }
});

test('a field with the wrong wire type is named with its message and path', (t) => {
  const err = t.throws(() => decode(envelope('v1', 'Pod', msg([2, [[2, [[1, 5]]]]]))), { instanceOf: ProtobufError });
  t.is(err!.message, 'field 1 (name) of k8s.io.api.core.v1.Container at offset 21 has wire type varint, expected length-delimited (in k8s.io.api.core.v1.Container at spec.containers[0])');
});

test('an envelope without a kind, with a kind we do not serve, or with an encoding is refused', (t) => {
  t.throws(() => decode(Buffer.concat([MAGIC, msg([1, [[1, 'v1']]], [2, new Uint8Array()])])), { instanceOf: ProtobufError, message: 'the protobuf envelope (runtime.Unknown) names no kind' });
  t.throws(() => decode(envelope('batch/v1', 'Job', msg(meta('j')))), {
    instanceOf: ProtobufError,
    message: 'cannot decode apiVersion "batch/v1" kind "Job" from protobuf: no such kind is served here',
  });
  t.throws(() => decode(envelope('v1', 'Namespace', msg(meta('n')), [[3, 'gzip']])), { instanceOf: ProtobufError, message: /unsupported protobuf content encoding "gzip"/ });
  t.throws(() => decode(envelope('v1', 'Namespace', msg(meta('n')), [[4, 'application/json']])), { instanceOf: ProtobufError, message: /unsupported content type "application\/json"/ });
});

// ---- schemas and wiring ----

test('every kind the server serves, and each subresource kind, has a protobuf message', (t) => {
  for (const r of RESOURCES) t.truthy(messageForKind(apiVersionOf(r), r.kind), `${apiVersionOf(r)}/${r.kind}`);
  for (const [gv, kind] of [['v1', 'Binding'], ['policy/v1', 'Eviction'], ['autoscaling/v1', 'Scale'], ['v1', 'DeleteOptions'], ['apps/v1', 'DeleteOptions']]) {
    t.truthy(messageForKind(gv!, kind!), `${gv}/${kind}`);
  }
  t.true(protobufKinds().includes('meta.k8s.io/v1/DeleteOptions'));
});

/** JSON names of a message's fields, with those of embedded (inline) messages in place. */
const jsonNames = (m: Message): string[] => [...m.fields.values()].flatMap((f) => (f.json !== undefined ? [f.json] : f.value.kind === 'message' ? jsonNames(f.value.message) : []));

test('protobuf messages name the same JSON fields as the OpenAPI schemas of the same types', (t) => {
  // Alpha fields that exist in only one of the two sources: the generated.proto these schemas were
  // written from, and the release-1.36 field lists of the OpenAPI schemas.
  const onlyProtobuf = new Set(['PodSpec.workloadRef', 'SecurityContext.ulimits', 'NodeFeatures.containerUlimits', 'DeploymentSpec.podReplacementPolicy']);
  const onlyOpenAPI = new Set(['PodSpec.schedulingGroup', 'PodStatus.nodeAllocatableResourceClaimStatuses']);
  let compared = 0;
  for (const [name, message] of MESSAGES) {
    const schema = componentSchema(`io.${name.replace(/^k8s\.io\./, 'k8s.')}`);
    if (!schema?.properties) continue;
    compared++;
    const type = name.slice(name.lastIndexOf('.') + 1);
    const mine = jsonNames(message);
    // apiVersion and kind of a top-level kind are the envelope's business in protobuf, not fields of its message.
    const props = Object.keys(schema.properties).filter((p) => mine.includes(p) || (p !== 'apiVersion' && p !== 'kind'));
    t.deepEqual(mine.filter((f) => !props.includes(f) && !onlyProtobuf.has(`${type}.${f}`)), [], `${name}: fields the OpenAPI schema lacks`);
    t.deepEqual(props.filter((p) => !mine.includes(p) && !onlyOpenAPI.has(`${type}.${p}`)), [], `${name}: fields the protobuf message lacks`);
  }
  t.true(compared > 100, `compared ${compared} messages`);
});

test('the subresource bodies decode: Binding, Eviction with its DeleteOptions, Scale', (t) => {
  t.deepEqual(asJson(decode(envelope('v1', 'Binding', msg(meta('p'), [2, [[1, 'Node'], [3, 'n1']]]))).object), { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } });
  t.deepEqual(asJson(decode(envelope('policy/v1', 'Eviction', msg(meta('p'), [2, [[1, 30], [2, [[1, 'uid-1']]], [5, 'All']]]))).object), {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name: 'p' },
    deleteOptions: { gracePeriodSeconds: 30, preconditions: { uid: 'uid-1' }, dryRun: ['All'] },
  });
  t.deepEqual(asJson(decode(envelope('autoscaling/v1', 'Scale', msg(meta('web'), [2, [[1, 5]]], [3, [[1, 3], [2, 'app=web']]]))).object), {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: 'web' },
    spec: { replicas: 5 },
    status: { replicas: 3, selector: 'app=web' },
  });
});

test('compileSchemas refuses references to nothing, malformed specs and modifiers on messages', (t) => {
  const set = (messages: MessageSet['messages']): MessageSet[] => [{ package: 'core', messages }];
  t.throws(() => compileSchemas(set({ A: { 1: 'b Missing' } })), { instanceOf: TypeError, message: /unknown message "k8s\.io\.api\.core\.v1\.Missing"/ });
  t.throws(() => compileSchemas(set({ A: { 1: 'b  string' } })), { instanceOf: TypeError, message: /malformed spec/ });
  t.throws(() => compileSchemas(set({ A: { 1: 'b *A' } })), { instanceOf: TypeError, message: /apply to scalars only/ });
  t.throws(() => compileSchemas(set({ A: { 1: '... string' } })), { instanceOf: TypeError, message: /inline field must be a message/ });
  t.throws(() => compileSchemas(set({ A: { 1: 'b map[A]' } })), { instanceOf: TypeError, message: /map values must be/ });
  t.throws(() => compileSchemas(set({ A: { 0: 'b string' } })), { instanceOf: TypeError, message: /invalid field number/ });
});

test('decodeBody decodes protobuf bodies and answers a bad one with 400 BadRequest', (t) => {
  t.deepEqual(asJson(decodeBody(fixture('namespace.bin'), 'application/vnd.kubernetes.protobuf')), NAMESPACE);
  const err = t.throws(() => decodeBody(Buffer.from('not protobuf'), 'application/vnd.kubernetes.protobuf'), { instanceOf: StatusError });
  t.is(err!.code, 400);
  t.is(err!.status.reason, 'BadRequest');
  t.regex(err!.status.message!, /^error decoding protobuf body: the body is not a Kubernetes protobuf message/);
});
