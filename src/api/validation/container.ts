/**
 * Container validation (validateContainerCommon and what it calls in
 * pkg/apis/core/validation): names, image, ports, environment, volume mounts, pull policy,
 * resources and probes.
 */
import { fieldError, type FieldError } from '../errors.js';
import { canonicalQuantity, parseQuantityExact, quantityError } from '../quantity.js';
import {
  asObj,
  child,
  dns1123Label,
  index,
  int,
  isObj,
  key,
  nonNegative,
  nonNegativeQuantity,
  objs,
  present,
  qualifiedName,
  str,
  type Obj,
} from './common.js';
import { isConfigMapKey, isDNS1123Subdomain, isHTTPHeaderName, isQualifiedName, isRelaxedEnvVarName, isValidPortName, isValidPortNum } from './strings.js';

/** Protocols of container, service and endpoint ports, sorted as Kubernetes lists them. */
export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** A port given by number or by name (ValidatePortNumOrName). */
export function portNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => fieldError.invalid(path, port, m));
  if (typeof port === 'string') {
    // A numeric string is an int in IntOrString's JSON only when unquoted; quoted it is a name.
    return isValidPortName(port).map((m) => fieldError.invalid(path, port, m));
  }
  return [fieldError.typeInvalid(path, port ?? null, 'must be an integer or a string')];
}

/** A protocol that must be present and supported. */
export function protocol(value: unknown, path: string): FieldError[] {
  if (!present(value) || value === '') return [fieldError.required(path)];
  return PORT_PROTOCOLS.includes(str(value)) ? [] : [fieldError.notSupported(path, value, PORT_PROTOCOLS)];
}

function validateContainerPorts(ports: unknown, path: string, errs: FieldError[]): void {
  const names = new Set<string>();
  objs(ports).forEach((p, i) => {
    const ip = index(path, i);
    const name = str(p.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) errs.push(...msgs.map((m) => fieldError.invalid(child(ip, 'name'), name, m)));
      else if (names.has(name)) errs.push(fieldError.duplicate(child(ip, 'name'), name));
      else names.add(name);
    }
    const containerPort = int(p.containerPort, child(ip, 'containerPort'), errs);
    if (!containerPort) errs.push(fieldError.required(child(ip, 'containerPort')));
    else errs.push(...isValidPortNum(containerPort).map((m) => fieldError.invalid(child(ip, 'containerPort'), containerPort, m)));
    const hostPort = int(p.hostPort, child(ip, 'hostPort'), errs);
    if (hostPort) errs.push(...isValidPortNum(hostPort).map((m) => fieldError.invalid(child(ip, 'hostPort'), hostPort, m)));
    errs.push(...protocol(p.protocol, child(ip, 'protocol')));
  });
}

/** Downward API fields an environment variable may read (validEnvDownwardAPIFieldPathExpressions). */
const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];

function validateFieldRef(ref: Obj, path: string): FieldError[] {
  if (!str(ref.apiVersion)) return [fieldError.required(child(path, 'apiVersion'))];
  const fieldPath = str(ref.fieldPath);
  if (!fieldPath) return [fieldError.required(child(path, 'fieldPath'))];
  const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fieldPath) ?? /^([^[]+)\[(.*)\]$/.exec(fieldPath);
  if (sub) {
    if (sub[1] === 'metadata.annotations') return qualifiedName(sub[2]!.toLowerCase(), path);
    if (sub[1] === 'metadata.labels') return qualifiedName(sub[2]!, path);
    return [fieldError.invalid(path, sub[1], 'does not support subscript')];
  }
  return ENV_FIELD_PATHS.includes(fieldPath) ? [] : [fieldError.notSupported(child(path, 'fieldPath'), fieldPath, ENV_FIELD_PATHS)];
}

/** A reference to a key of a ConfigMap or Secret. */
function validateKeySelector(ref: Obj, path: string): FieldError[] {
  const errs = isDNS1123Subdomain(str(ref.name)).map((m) => fieldError.invalid(child(path, 'name'), str(ref.name), m));
  const k = str(ref.key);
  if (!k) errs.push(fieldError.required(child(path, 'key')));
  else errs.push(...isConfigMapKey(k).map((m) => fieldError.invalid(child(path, 'key'), k, m)));
  return errs;
}

function validateEnv(env: unknown, path: string, errs: FieldError[]): void {
  objs(env).forEach((ev, i) => {
    const ip = index(path, i);
    const name = str(ev.name);
    if (!name) errs.push(fieldError.required(child(ip, 'name')));
    errs.push(...isRelaxedEnvVarName(name).map((m) => fieldError.invalid(child(ip, 'name'), name, m)));
    if (!isObj(ev.valueFrom)) return;
    const from = ev.valueFrom;
    const fp = child(ip, 'valueFrom');
    let sources = 0;
    if (isObj(from.fieldRef)) {
      sources++;
      errs.push(...validateFieldRef(from.fieldRef, child(fp, 'fieldRef')));
    }
    if (isObj(from.resourceFieldRef)) sources++;
    if (isObj(from.configMapKeyRef)) {
      sources++;
      errs.push(...validateKeySelector(from.configMapKeyRef, child(fp, 'configMapKeyRef')));
    }
    if (isObj(from.secretKeyRef)) {
      sources++;
      errs.push(...validateKeySelector(from.secretKeyRef, child(fp, 'secretKeyRef')));
    }
    if (sources === 0) errs.push(fieldError.invalid(fp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (str(ev.value)) errs.push(fieldError.invalid(fp, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1) errs.push(fieldError.invalid(fp, '', 'may not have more than one field specified at a time'));
  });
}

function validateVolumeMounts(mounts: unknown, volumes: ReadonlySet<string>, path: string, errs: FieldError[]): void {
  const mountPoints = new Set<string>();
  objs(mounts).forEach((m, i) => {
    const ip = index(path, i);
    const name = str(m.name);
    if (!name) errs.push(fieldError.required(child(ip, 'name')));
    // Kubernetes reports this as "Not found"; errors.ts has no such type, so it is an Invalid.
    if (!volumes.has(name)) errs.push(fieldError.invalid(child(ip, 'name'), name, 'not found'));
    const mountPath = str(m.mountPath);
    if (!mountPath) errs.push(fieldError.required(child(ip, 'mountPath')));
    if (mountPoints.has(mountPath)) errs.push(fieldError.invalid(child(ip, 'mountPath'), mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    const subPath = str(m.subPath);
    if (subPath) {
      // validateLocalDescendingPath: a relative path that stays below the volume.
      if (subPath.startsWith('/')) errs.push(fieldError.invalid(child(ip, 'subPath'), subPath, 'must be a relative path'));
      if (subPath.split('/').includes('..')) errs.push(fieldError.invalid(child(ip, 'subPath'), subPath, "must not contain '..'"));
    }
  });
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];

/** Resource names a container may ask for without a domain prefix. */
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
/** Resource names Kubernetes knows without a domain prefix (helper.IsStandardResourceName). */
const STANDARD_RESOURCES = new Set([
  ...STANDARD_CONTAINER_RESOURCES,
  'storage',
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
]);
const isHugePages = (name: string) => name.startsWith('hugepages-');
const isNative = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
/** Extended resources (vendor.com/gpu) are counted, never shared: requests must equal limits. */
const isExtended = (name: string) => !isNative(name) && !name.startsWith('requests.') && isQualifiedName(`requests.${name}`).length === 0;
const overcommitAllowed = (name: string) => isNative(name) && !isHugePages(name);

/** validateContainerResourceName: qualified, and standard unless prefixed. */
function validateResourceName(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => fieldError.invalid(path, name, m));
  const unprefixed = !name.includes('/');
  if (errs.length === 0 && unprefixed && !STANDARD_RESOURCES.has(name) && !isHugePages(name)) {
    errs.push(fieldError.invalid(path, name, 'must be a standard resource type or fully qualified'));
  }
  if (unprefixed) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) errs.push(fieldError.invalid(path, name, 'must be a standard resource for containers'));
  } else if (!isNative(name) && !isExtended(name)) {
    errs.push(fieldError.invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** ValidateResourceQuantityValue: non-negative, and whole for resources counted in units. */
export function resourceQuantity(name: string, q: unknown, path: string): FieldError[] {
  const errs = nonNegativeQuantity(q, path);
  if (errs.length === 0 && isExtended(name) && parseQuantityExact(q as string | number).nanos % 1_000_000_000n !== 0n) {
    errs.push(fieldError.invalid(path, q, 'must be an integer'));
  }
  return errs;
}

/** ValidateResourceRequirements: names and quantities valid, each request within its limit. */
export function validateResources(resources: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const r = asObj(resources);
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  const limits = asObj(r.limits);
  const requests = asObj(r.requests);
  for (const [name, q] of Object.entries(limits)) {
    errs.push(...validateResourceName(name, key(limPath, name)));
    errs.push(...resourceQuantity(name, q, key(limPath, name)));
  }
  for (const [name, q] of Object.entries(requests)) {
    errs.push(...validateResourceName(name, key(reqPath, name)));
    errs.push(...resourceQuantity(name, q, key(reqPath, name)));
    if (name in limits) {
      const lim = limits[name];
      if (quantityError(q) || quantityError(lim)) continue;
      const req = parseQuantityExact(q as string | number).nanos;
      const max = parseQuantityExact(lim as string | number).nanos;
      const shown = canonicalQuantity(q as string | number);
      const limShown = canonicalQuantity(lim as string | number);
      if (req !== max && !overcommitAllowed(name)) errs.push(fieldError.invalid(reqPath, shown, `must be equal to ${name} limit of ${limShown}`));
      else if (req > max) errs.push(fieldError.invalid(reqPath, shown, `must be less than or equal to ${name} limit of ${limShown}`));
    } else if (!overcommitAllowed(name)) {
      errs.push(fieldError.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}

/** validateHandler: exactly one way to probe or hook. */
function validateHandler(h: Obj, path: string, kinds: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  let found = 0;
  for (const kind of kinds) {
    if (!isObj(h[kind])) continue;
    const p = child(path, kind);
    if (found > 0) {
      errs.push(fieldError.forbidden(p, 'may not specify more than 1 handler type'));
      continue;
    }
    found++;
    const action = h[kind] as Obj;
    if (kind === 'exec' && !(Array.isArray(action.command) && action.command.length > 0)) errs.push(fieldError.required(child(p, 'command')));
    if (kind === 'httpGet') {
      if (!str(action.path)) errs.push(fieldError.required(child(p, 'path')));
      errs.push(...portNumOrName(action.port, child(p, 'port')));
      const scheme = str(action.scheme);
      if (scheme !== 'HTTP' && scheme !== 'HTTPS') errs.push(fieldError.notSupported(child(p, 'scheme'), scheme, ['HTTP', 'HTTPS']));
      for (const header of objs(action.httpHeaders)) {
        errs.push(...isHTTPHeaderName(str(header.name)).map((m) => fieldError.invalid(child(p, 'httpHeaders'), str(header.name), m)));
      }
    }
    if (kind === 'tcpSocket') errs.push(...portNumOrName(action.port, child(p, 'port')));
    if (kind === 'grpc') errs.push(...portNumOrName(action.port, child(p, 'port')));
  }
  if (found === 0) errs.push(fieldError.required(path, 'must specify a handler type'));
  return errs;
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'];

/** validateProbe plus the rules of each probe kind (liveness and startup need successThreshold 1). */
export function validateProbe(probe: unknown, path: string, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  if (!isObj(probe)) return [];
  const errs = validateHandler(probe, path, PROBE_HANDLERS);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...nonNegative(int(probe[f], child(path, f), errs), child(path, f)));
  }
  const grace = int(probe.terminationGracePeriodSeconds, child(path, 'terminationGracePeriodSeconds'), errs);
  if (kind === 'readiness') {
    if (grace !== undefined) errs.push(fieldError.invalid(child(path, 'terminationGracePeriodSeconds'), grace, 'must not be set for readinessProbes'));
  } else {
    if (grace !== undefined && grace <= 0) errs.push(fieldError.invalid(child(path, 'terminationGracePeriodSeconds'), grace, 'must be greater than 0'));
    const success = probe.successThreshold;
    if (success !== 1) errs.push(fieldError.invalid(child(path, 'successThreshold'), success ?? 0, 'must be 1'));
  }
  return errs;
}

/** Lifecycle hooks: each of postStart and preStop is one handler. */
function validateLifecycle(lifecycle: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const hook of ['postStart', 'preStop']) {
    const h = asObj(lifecycle)[hook];
    if (isObj(h)) errs.push(...validateHandler(h, child(path, hook), LIFECYCLE_HANDLERS));
  }
  return errs;
}

/** validateContainerCommon: what every container, init or not, must satisfy. */
export function validateContainerCommon(c: Obj, path: string, volumes: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c.name);
  if (!name) errs.push(fieldError.required(child(path, 'name')));
  else errs.push(...dns1123Label(name, child(path, 'name')));
  if (!str(c.image)) errs.push(fieldError.required(child(path, 'image')));
  const tmp = c.terminationMessagePolicy;
  if (!present(tmp) || tmp === '') errs.push(fieldError.required(child(path, 'terminationMessagePolicy')));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(str(tmp))) errs.push(fieldError.notSupported(child(path, 'terminationMessagePolicy'), tmp, TERMINATION_MESSAGE_POLICIES));
  validateContainerPorts(c.ports, child(path, 'ports'), errs);
  validateEnv(c.env, child(path, 'env'), errs);
  validateVolumeMounts(c.volumeMounts, volumes, child(path, 'volumeMounts'), errs);
  const pull = c.imagePullPolicy;
  if (!present(pull) || pull === '') errs.push(fieldError.required(child(path, 'imagePullPolicy')));
  else if (!PULL_POLICIES.includes(str(pull))) errs.push(fieldError.notSupported(child(path, 'imagePullPolicy'), pull, PULL_POLICIES));
  errs.push(...validateResources(c.resources, child(path, 'resources')));
  return errs;
}

/** What regular containers may have on top of the common rules: probes and lifecycle hooks. */
export function validateRegularContainer(c: Obj, path: string): FieldError[] {
  const errs = validateLifecycle(c.lifecycle, child(path, 'lifecycle'));
  errs.push(...validateProbe(c.livenessProbe, child(path, 'livenessProbe'), 'liveness'));
  errs.push(...validateProbe(c.readinessProbe, child(path, 'readinessProbe'), 'readiness'));
  errs.push(...validateProbe(c.startupProbe, child(path, 'startupProbe'), 'startup'));
  if (present(c.restartPolicy)) errs.push(fieldError.forbidden(child(path, 'restartPolicy'), 'may not be set for non-init containers'));
  return errs;
}
