/**
 * Applies host-gw routes with iproute2, on the host or in a network namespace (`ip -n NS`). The
 * routes kubelab installs carry their own protocol number, so listing and removing them never
 * touches routes someone else made (Docker's, the node's default route, an operator's).
 * Forwarding to pods is opened in Docker's DOCKER-USER chain: Docker drops forwarded traffic to
 * its bridges unless a port is published, and host-gw traffic arrives forwarded.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { diffRoutes, type PodRoute, type RouteDiff } from './routes.js';

const execFileAsync = promisify(execFile);

/** Routing protocol number of kubelab's routes (`ip route show proto 76`); unused by iproute2's table. */
export const HOST_GW_ROUTE_PROTO = 76;

/** Runs a command and returns its stdout; throws an Error naming the command and its stderr. */
export type CommandRunner = (file: string, args: string[]) => Promise<string>;

/** The default runner: execFile, with an error a person can paste into a shell. */
export const runCommand: CommandRunner = async (file, args) => {
  try {
    return (await execFileAsync(file, args)).stdout;
  } catch (err) {
    const e = err as { stderr?: string; code?: number | string };
    throw new Error(`Command failed (exit ${e.code ?? '?'}): ${[file, ...args].join(' ')}: ${(e.stderr ?? '').trim()}`, { cause: err });
  }
};

/** Options of the route executor. */
export interface IpRouteOptions {
  /** Network namespace to act in (a name under /var/run/netns); default the host's. */
  netns?: string;
  /** Protocol number marking our routes (default HOST_GW_ROUTE_PROTO). */
  proto?: number;
  run?: CommandRunner;
}

/** Lists, adds and removes kubelab's pod routes. */
export class IpRouteExecutor {
  private readonly ns: string[];
  private readonly proto: string;
  private readonly run: CommandRunner;

  constructor(o: IpRouteOptions = {}) {
    this.ns = o.netns ? ['-n', o.netns] : [];
    const proto = o.proto ?? HOST_GW_ROUTE_PROTO;
    if (!Number.isInteger(proto) || proto < 1 || proto > 255) throw new RangeError(`route protocol must be 1..255, not ${proto}`);
    this.proto = String(proto);
    this.run = o.run ?? runCommand;
  }

  /** The routes kubelab installed. */
  async list(): Promise<PodRoute[]> {
    const out = await this.run('ip', [...this.ns, '-j', '-4', 'route', 'show', 'proto', this.proto]);
    const rows = JSON.parse(out.trim() || '[]') as { dst?: string; gateway?: string }[];
    return rows.filter((r) => r.dst && r.gateway).map((r) => ({ dst: r.dst!, via: r.gateway! }));
  }

  /** Adds a route or points it at a new gateway. */
  async replace(r: PodRoute): Promise<void> {
    await this.run('ip', [...this.ns, 'route', 'replace', r.dst, 'via', r.via, 'proto', this.proto]);
  }

  /** Removes one of our routes. */
  async remove(r: PodRoute): Promise<void> {
    await this.run('ip', [...this.ns, 'route', 'del', r.dst, 'via', r.via, 'proto', this.proto]);
  }

  /** Makes the installed routes equal desired; returns what it changed. */
  async sync(desired: PodRoute[]): Promise<RouteDiff> {
    const diff = diffRoutes(await this.list(), desired);
    for (const r of diff.remove) await this.remove(r);
    for (const r of diff.replace) await this.replace(r);
    return diff;
  }

  /**
   * Accepts forwarded traffic from and to the cluster CIDR in DOCKER-USER (created when missing,
   * as on a host where Docker has not started yet); idempotent.
   */
  async allowPodForwarding(clusterCidr: string): Promise<void> {
    const iptables = async (args: string[]) => this.run(this.ns.length ? 'ip' : 'iptables', this.ns.length ? ['netns', 'exec', this.ns[1]!, 'iptables', ...args] : args);
    await iptables(['-N', 'DOCKER-USER']).catch(() => undefined);
    for (const dir of ['-s', '-d']) {
      const rule = ['DOCKER-USER', dir, clusterCidr, '-m', 'comment', '--comment', 'kubelab host-gw', '-j', 'ACCEPT'];
      const present = await iptables(['-C', ...rule]).then(
        () => true,
        () => false,
      );
      if (!present) await iptables(['-I', ...rule]);
    }
  }
}
