/**
 * Per-kind rules of the generic store, as each Kubernetes registry's strategy defines them:
 * what a create resets, what an update keeps, which admission steps run (service IPs and node
 * ports, default tolerations) and how a delete is graceful.
 */
import { qosClass } from '../../../api/defaults.js';
import type { ResourceInfo } from '../../../api/resources.js';
import type { DeleteOptions, KObject, Namespace, Pod, Service, Toleration } from '../../../api/types.js';
import { AllocationError, type PortAndIPAllocator } from './allocator.js';

export interface AdmissionContext {
  allocator: PortAndIPAllocator;
  /** Services currently stored, for allocation. */
  services(): Service[];
  /** tolerationSeconds of the default not-ready/unreachable tolerations added to pods. */
  defaultTolerationSeconds: number;
  /** Release functions of reservations made by admission, called when the write settles. */
  releases: (() => void)[];
}

export interface Strategy {
  /** Resets what a client may not set on create (usually status). */
  prepareForCreate?(obj: KObject): void;
  /** Admission for create (old undefined) and update; may allocate or add defaults. Throws on refusal. */
  admit?(obj: KObject, old: KObject | undefined, ctx: AdmissionContext): void;
  /**
   * Seconds of graceful deletion for this object and request, or 0 to delete at once. Objects
   * deleted gracefully get deletionTimestamp = now + grace and are removed by whoever owns
   * them (the kubelet, for pods).
   */
  gracePeriod?(obj: KObject, opts: DeleteOptions): number;
  /** DELETE answers with the object rather than a Status (as pods do). */
  returnDeletedObject?: boolean;
}

const podStrategy: Strategy = {
  prepareForCreate(obj) {
    const pod = obj as Pod;
    pod.status = { phase: 'Pending', qosClass: qosClass(pod) };
  },
  admit(obj, old, ctx) {
    if (old) return;
    addDefaultTolerations(obj as Pod, ctx.defaultTolerationSeconds);
  },
  gracePeriod(obj, opts) {
    const pod = obj as Pod;
    // A pod that never reached a node, or has finished, has nothing to stop: delete it now.
    if (!pod.spec.nodeName || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
    if (opts.gracePeriodSeconds !== undefined) return Math.max(0, opts.gracePeriodSeconds);
    return pod.spec.terminationGracePeriodSeconds ?? 30;
  },
  returnDeletedObject: true,
};

/** The DefaultTolerationSeconds admission plugin: tolerate not-ready/unreachable for a while. */
export function addDefaultTolerations(pod: Pod, seconds: number): void {
  const tols: Toleration[] = pod.spec.tolerations ?? [];
  const has = (key: string) => tols.some((t) => (t.key === key || (t.operator === 'Exists' && !t.key)) && (!t.effect || t.effect === 'NoExecute'));
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!has(key)) tols.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
  pod.spec.tolerations = tols;
}

const namespaceStrategy: Strategy = {
  prepareForCreate(obj) {
    (obj as Namespace).status = { phase: 'Active' };
  },
};

const serviceStrategy: Strategy = {
  prepareForCreate(obj) {
    obj.status = { loadBalancer: {} };
  },
  admit(obj, old, ctx) {
    const svc = obj as Service;
    const prev = old as Service | undefined;
    const spec = svc.spec;
    if (spec.type === 'ExternalName') return;
    // Carry over what was allocated when an update leaves it out (kubectl apply never sends it).
    if (prev && !spec.clusterIP && prev.spec.clusterIP) {
      spec.clusterIP = prev.spec.clusterIP;
      spec.clusterIPs = prev.spec.clusterIPs ?? [prev.spec.clusterIP];
    }
    const others = ctx.services().filter((s) => !(s.metadata.namespace === svc.metadata.namespace && s.metadata.name === svc.metadata.name));
    if (!prev || !prev.spec.clusterIP) {
      if (spec.clusterIP !== 'None') {
        const used = new Set(others.map((s) => s.spec.clusterIP).filter((x): x is string => !!x && x !== 'None'));
        const { ip, release } = ctx.allocator.allocateIP(spec.clusterIP ?? spec.clusterIPs?.[0] ?? '', used);
        ctx.releases.push(release);
        spec.clusterIP = ip;
        spec.clusterIPs = [ip];
      } else {
        spec.clusterIPs = ['None'];
      }
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      const used = new Set<number>();
      for (const s of others) for (const p of s.spec.ports ?? []) if (p.nodePort) used.add(p.nodePort);
      const prevPorts = new Map((prev?.spec.ports ?? []).map((p) => [`${p.port}/${p.protocol ?? 'TCP'}`, p.nodePort]));
      (spec.ports ?? []).forEach((p, i) => {
        const kept = prevPorts.get(`${p.port}/${p.protocol ?? 'TCP'}`);
        if (!p.nodePort && kept) {
          p.nodePort = kept;
          used.add(kept);
          return;
        }
        if (p.nodePort && p.nodePort === kept) return;
        const { port, release } = ctx.allocator.allocatePort(p.nodePort ?? 0, used, `spec.ports[${i}].nodePort`);
        ctx.releases.push(release);
        used.add(port);
        p.nodePort = port;
      });
    } else {
      for (const p of spec.ports ?? []) delete p.nodePort;
    }
  },
};

const statusResetStrategy: Strategy = {
  prepareForCreate(obj) {
    obj.status = {};
  },
};

const strategies: Record<string, Strategy> = {
  Pod: podStrategy,
  Namespace: namespaceStrategy,
  Service: serviceStrategy,
  Deployment: statusResetStrategy,
  ReplicaSet: statusResetStrategy,
};

export function strategyFor(r: ResourceInfo): Strategy {
  return strategies[r.kind] ?? {};
}

export { AllocationError };
