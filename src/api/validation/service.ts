/**
 * Service validation (ValidateService, ValidateServiceUpdate in pkg/apis/core/validation, and
 * the node port range check of the service REST storage).
 */
import { fieldError, type FieldError } from '../errors.js';
import type { KObject } from '../types.js';
import { asObj, child, dns1123Label, dns1123Subdomain, index, int, isObj, nameIsDNS1035Label, objs, present, qualifiedName, str, validateLabels, type Obj } from './common.js';
import { portNumOrName, protocol } from './container.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isValidIP, isValidPortNum, INVALID_IP_MESSAGE } from './strings.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
/** The default --service-node-port-range of kube-apiserver. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 };
const KUBELET_PORT = 10250;

/** The cluster IPs a spec asks for: clusterIPs, else clusterIP alone. */
function clusterIPsOf(spec: Obj): string[] {
  const ips = Array.isArray(spec.clusterIPs) ? spec.clusterIPs.map(str) : [];
  return ips.length ? ips : str(spec.clusterIP) ? [str(spec.clusterIP)] : [];
}

const isHeadless = (spec: Obj) => clusterIPsOf(spec)[0] === 'None';

/** ValidateEndpointIP: addresses that can never reach a pod. */
export function endpointIP(ip: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (ip === '0.0.0.0' || ip === '::') errs.push(fieldError.invalid(path, ip, 'may not be unspecified (0.0.0.0)'));
  if (/^127\./.test(ip) || ip === '::1') errs.push(fieldError.invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (/^169\.254\./.test(ip) || /^fe[89ab][0-9a-f]:/i.test(ip)) errs.push(fieldError.invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (/^224\.0\.0\./.test(ip) || /^ff02:/i.test(ip)) errs.push(fieldError.invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

function validatePorts(spec: Obj, errs: FieldError[]): void {
  const ports = objs(spec.ports);
  const type = str(spec.type);
  const names = new Set<string>();
  const seenPorts = new Set<string>();
  const seenNodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const ip = index('spec.ports', i);
    const name = str(p.name);
    if (ports.length > 1 && !name) {
      errs.push(fieldError.required(child(ip, 'name')));
    } else if (name) {
      errs.push(...dns1123Label(name, child(ip, 'name')));
      if (names.has(name)) errs.push(fieldError.duplicate(child(ip, 'name'), name));
      else names.add(name);
    }
    const port = int(p.port, child(ip, 'port'), errs) ?? 0;
    errs.push(...isValidPortNum(port).map((m) => fieldError.invalid(child(ip, 'port'), port, m)));
    errs.push(...protocol(p.protocol, child(ip, 'protocol')));
    if (present(p.targetPort)) errs.push(...portNumOrName(p.targetPort, child(ip, 'targetPort')));
    if (present(p.appProtocol)) errs.push(...qualifiedName(str(p.appProtocol), child(ip, 'appProtocol')));
    if (type === 'LoadBalancer' && port === KUBELET_PORT) {
      errs.push(fieldError.invalid(ip, port, `may not expose port ${KUBELET_PORT} externally since it is used by kubelet`));
    }
    const nodePort = int(p.nodePort, child(ip, 'nodePort'), errs) ?? 0;
    if (nodePort !== 0) {
      if (type === 'ClusterIP') errs.push(fieldError.forbidden(child(ip, 'nodePort'), "may not be used when `type` is 'ClusterIP'"));
      else if (nodePort < NODE_PORT_RANGE.min || nodePort > NODE_PORT_RANGE.max) {
        // The allocator's answer (portallocator.ErrNotInRange) for a port outside the range.
        errs.push(
          fieldError.invalid(child(ip, 'nodePort'), nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`),
        );
      }
      const nodeKey = `${str(p.protocol)}/${nodePort}`;
      if (seenNodePorts.has(nodeKey)) errs.push(fieldError.duplicate(child(ip, 'nodePort'), nodePort));
      seenNodePorts.add(nodeKey);
    }
    const portKey = `${str(p.protocol)}/${port}`;
    if (seenPorts.has(portKey)) errs.push(fieldError.duplicate(ip, { port, protocol: str(p.protocol) }));
    seenPorts.add(portKey);
  });
}

/** The clusterIP / clusterIPs / ipFamilies / ipFamilyPolicy rules, for non-ExternalName services. */
function validateClusterIPs(spec: Obj, errs: FieldError[]): void {
  const clusterIP = str(spec.clusterIP);
  const ips = Array.isArray(spec.clusterIPs) ? spec.clusterIPs.map(str) : [];
  if (clusterIP && ips.length && ips[0] !== clusterIP) errs.push(fieldError.invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  const all = clusterIPsOf(spec);
  all.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (all.length > 1) errs.push(fieldError.invalid('spec.clusterIPs', all, "'None' must be the first and only value"));
      return;
    }
    const path = ips.length ? index('spec.clusterIPs', i) : 'spec.clusterIP';
    if (!isValidIP(ip)) errs.push(fieldError.invalid(path, ip, INVALID_IP_MESSAGE));
  });
  (Array.isArray(spec.ipFamilies) ? spec.ipFamilies : []).forEach((f, i) => {
    if (!IP_FAMILIES.includes(str(f))) errs.push(fieldError.notSupported(index('spec.ipFamilies', i), f, IP_FAMILIES));
  });
  if (present(spec.ipFamilyPolicy) && !IP_FAMILY_POLICIES.includes(str(spec.ipFamilyPolicy))) {
    errs.push(fieldError.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
}

/** validateClientIPAffinityConfig: a timeout in (0, 86400] seconds. */
function clientIPAffinity(config: unknown): FieldError[] {
  const why = 'when session affinity type is ClientIP';
  let path = 'spec.sessionAffinityConfig';
  if (!isObj(config)) return [fieldError.required(path, why)];
  path = child(path, 'clientIP');
  if (!isObj(config.clientIP)) return [fieldError.required(path, why)];
  path = child(path, 'timeoutSeconds');
  const timeout = config.clientIP.timeoutSeconds;
  if (!present(timeout)) return [fieldError.required(path, why)];
  if (typeof timeout !== 'number' || timeout <= 0 || timeout > 86400) return [fieldError.invalid(path, timeout, 'must be greater than 0 and less than 86400')];
  return [];
}

/** apiservice.ExternallyAccessible */
const externallyAccessible = (spec: Obj) =>
  spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);

function validateServiceSpec(specValue: unknown): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(specValue);
  const type = str(spec.type);
  const headless = isHeadless(spec);
  if (objs(spec.ports).length === 0 && !headless && type !== 'ExternalName') errs.push(fieldError.required('spec.ports'));
  if ((type === 'LoadBalancer' || type === 'NodePort') && headless) {
    errs.push(fieldError.invalid(index('spec.clusterIPs', 0), 'None', `may not be set to 'None' for ${type} services`));
  }
  if (type === 'ExternalName') {
    if (clusterIPsOf(spec).length > 0) errs.push(fieldError.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (Array.isArray(spec.ipFamilies) && spec.ipFamilies.length > 0) errs.push(fieldError.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (present(spec.ipFamilyPolicy)) errs.push(fieldError.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    // The name may end with a dot, marking it fully qualified.
    const cname = str(spec.externalName).replace(/\.$/, '');
    if (cname) errs.push(...dns1123Subdomain(cname, 'spec.externalName'));
    else errs.push(fieldError.required('spec.externalName'));
  } else {
    validateClusterIPs(spec, errs);
  }
  validatePorts(spec, errs);
  if (isObj(spec.selector)) errs.push(...validateLabels(spec.selector, 'spec.selector'));

  const affinity = spec.sessionAffinity;
  if (!str(affinity)) errs.push(fieldError.required('spec.sessionAffinity'));
  else if (!SESSION_AFFINITIES.includes(str(affinity))) errs.push(fieldError.notSupported('spec.sessionAffinity', affinity, SESSION_AFFINITIES));
  if (affinity === 'None' && present(spec.sessionAffinityConfig)) {
    errs.push(fieldError.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  if (affinity === 'ClientIP') errs.push(...clientIPAffinity(spec.sessionAffinityConfig));

  (Array.isArray(spec.externalIPs) ? spec.externalIPs.map(str) : []).forEach((ip, i) => {
    const p = index('spec.externalIPs', i);
    if (!isValidIP(ip)) errs.push(fieldError.invalid(p, ip, INVALID_IP_MESSAGE));
    else errs.push(...endpointIP(ip, p));
  });

  if (!type) errs.push(fieldError.required('spec.type'));
  else if (!SERVICE_TYPES.includes(type)) errs.push(fieldError.notSupported('spec.type', type, SERVICE_TYPES));

  const etp = spec.externalTrafficPolicy;
  if (!externallyAccessible(spec)) {
    if (str(etp)) errs.push(fieldError.invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else if (!str(etp)) {
    errs.push(fieldError.required('spec.externalTrafficPolicy'));
  } else if (!TRAFFIC_POLICIES.includes(str(etp))) {
    errs.push(fieldError.notSupported('spec.externalTrafficPolicy', etp, TRAFFIC_POLICIES));
  }
  const itp = spec.internalTrafficPolicy;
  if (!present(itp)) {
    if (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer') errs.push(fieldError.required('spec.internalTrafficPolicy'));
  } else if (!TRAFFIC_POLICIES.includes(str(itp))) {
    errs.push(fieldError.notSupported('spec.internalTrafficPolicy', itp, TRAFFIC_POLICIES));
  }
  return errs;
}

/** ValidateService (create) or ValidateServiceUpdate: allocated cluster IPs may not change. */
export function validateService(obj: KObject, old?: KObject): FieldError[] {
  const errs = old ? validateObjectMetaUpdate(obj.metadata, old.metadata) : validateObjectMeta(obj.metadata, { namespaced: true, nameFn: nameIsDNS1035Label });
  if (old) {
    const spec = asObj(obj.spec);
    const prev = asObj(old.spec);
    // Switching to or from ExternalName releases or allocates IPs; otherwise they stay. An
    // update that leaves them out keeps them (the API server copies them over).
    if (spec.type !== 'ExternalName' && prev.type !== 'ExternalName' && !(isHeadless(spec) && isHeadless(prev))) {
      const next = clusterIPsOf(spec);
      const before = clusterIPsOf(prev);
      next.forEach((ip, i) => {
        if (i < before.length && ip !== before[i]) errs.push(fieldError.invalid(index('spec.clusterIPs', i), next, 'may not change once set'));
      });
    }
  }
  errs.push(...validateServiceSpec(obj.spec));
  return errs;
}
