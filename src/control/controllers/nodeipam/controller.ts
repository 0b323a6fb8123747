/**
 * The node IPAM controller: gives every node without spec.podCIDR the next free block of the
 * cluster CIDR (see sync.ts). Blocks in use are those on the nodes the informer holds plus the
 * ones this controller has handed out but not yet seen come back, so two nodes never get the
 * same block; a node's block is free again once the node is deleted.
 */
import type { Node } from '../../../api/types.js';
import type { Informer } from '../../../client/informer.js';
import { isNotFound } from '../../../client/errors.js';
import { runWorkers } from '../../../client/workers.js';
import { WorkQueue } from '../../../client/workqueue.js';
import type { Logger } from '../../../util/log.js';
import type { Controller, ControllerContext } from '../context.js';
import { workQueueMetrics } from '../shared.js';
import { blockCidr, blockIndex, cidrRange, nextFreeBlock, type CidrRange } from './sync.js';

export interface NodeIpamOptions {
  /** --cluster-cidr: the range node blocks come from (e.g. 10.244.0.0/16). */
  clusterCIDR: string;
  /** --node-cidr-mask-size: prefix length of each node's block (default 24). */
  nodeCIDRMaskSize?: number;
}

export function newNodeIpamController(ctx: ControllerContext, o: NodeIpamOptions): Controller {
  return new NodeIpamController(ctx, cidrRange(o.clusterCIDR, o.nodeCIDRMaskSize ?? 24));
}

class NodeIpamController implements Controller {
  readonly name = 'node-ipam-controller';
  private readonly log: Logger;
  private readonly nodes: Informer<Node>;
  private readonly queue: WorkQueue<string>;
  /** Blocks handed out whose node has not shown its podCIDR in the informer yet. */
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly range: CidrRange,
  ) {
    this.log = ctx.log.child(this.name);
    this.nodes = ctx.informers.informerFor<Node>('Node');
    this.queue = new WorkQueue({ clock: ctx.clock, metrics: workQueueMetrics(ctx.metrics, 'nodeipam') });
    const enqueue = (n: Node) => this.queue.add(n.metadata.name!);
    this.nodes.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_o, n) => enqueue(n),
      onDelete: (n) => this.pending.delete(n.metadata.name!),
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    // One worker: allocation decisions must see each other.
    void workers;
    await runWorkers(this.queue, 1, (name) => this.sync(name), { signal, log: this.log, name: 'nodeipam' });
  }

  private used(): Set<number> {
    const used = new Set<number>(this.pending.values());
    for (const n of this.nodes.list()) {
      const i = n.spec.podCIDR ? blockIndex(this.range, n.spec.podCIDR) : undefined;
      if (i !== undefined) used.add(i);
    }
    return used;
  }

  async sync(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (!node) return;
    if (node.spec.podCIDR) {
      this.pending.delete(name);
      return;
    }
    const i = this.pending.get(name) ?? nextFreeBlock(this.range, this.used());
    if (i === undefined) {
      this.ctx.recorder(this.name).event(node, 'Warning', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
      throw new Error(`no pod CIDR left for node "${name}"`);
    }
    this.pending.set(name, i);
    const cidr = blockCidr(this.range, i);
    try {
      await this.ctx.client.resource<Node>('Node').patch('', name, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, 'merge');
      this.log.v(2).info('allocated pod CIDR', { node: name, cidr });
    } catch (err) {
      if (isNotFound(err)) {
        this.pending.delete(name);
        return;
      }
      throw err;
    }
  }
}
