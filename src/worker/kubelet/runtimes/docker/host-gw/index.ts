/**
 * host-gw networking for labs where each node runs its own Docker daemon (Vagrant, DinD): a bridge
 * per node whose subnet is the node's pod CIDR (node-network.ts), and on every node a route to each
 * other node's pod CIDR via that node's InternalIP (routes.ts computes them from Node objects,
 * ip-route.ts applies the difference). HostGwRoutes is what a node agent calls whenever its Node
 * informer changes.
 */
import type { Node } from '../../../../../api/types.js';
import { nullLogger, type Logger } from '../../../../../util/log.js';
import { IpRouteExecutor, type IpRouteOptions } from './ip-route.js';
import { desiredRoutes, type RouteDiff } from './routes.js';

export { desiredRoutes, diffRoutes, internalIpOf, podCidrsOf, type PodRoute, type RouteDiff } from './routes.js';
export { HOST_GW_ROUTE_PROTO, IpRouteExecutor, runCommand, type CommandRunner, type IpRouteOptions } from './ip-route.js';
export { ensureNodeNetwork, gatewayOf, type NodeNetworkSpec } from './node-network.js';

/** Keeps one node's host-gw routes equal to what the Node objects say. */
export class HostGwRoutes {
  private readonly exec: IpRouteExecutor;
  private readonly log: Logger;

  /** @param self this node's name; its own pod CIDR never gets a route. */
  constructor(
    private readonly self: string,
    o: IpRouteOptions & { log?: Logger } = {},
  ) {
    this.exec = new IpRouteExecutor(o);
    this.log = o.log ?? nullLogger;
  }

  /** Installs, repoints and removes routes so they match nodes; returns the changes made. */
  async sync(nodes: Node[]): Promise<RouteDiff> {
    const diff = await this.exec.sync(desiredRoutes(nodes, this.self));
    for (const r of diff.replace) this.log.info('route to pods', { dst: r.dst, via: r.via });
    for (const r of diff.remove) this.log.info('removed route to pods', { dst: r.dst, via: r.via });
    return diff;
  }

  /** Opens forwarding to and from the cluster CIDR (see IpRouteExecutor.allowPodForwarding). */
  allowPodForwarding(clusterCidr: string): Promise<void> {
    return this.exec.allowPodForwarding(clusterCidr);
  }
}
