/**
 * Node status reports through nodes/status, as modern kubelets do alongside leases: the status
 * is checked every check interval (the kubelet's node-status-update-frequency, 10 s) and when the
 * Node changes in the informer (the node lifecycle controller marking it Unknown), and written
 * only when it changed, heartbeat times aside, or when node-status-report-frequency (5 min) has
 * passed since the last report. One reporter serves any number of nodes.
 */
import type { Node, NodeStatus } from '../../../api/types.js';
import type { Client } from '../../../client/rest.js';
import type { Clock } from '../../../util/clock.js';
import type { Logger } from '../../../util/log.js';
import { nodeReportDue, nodeStatusChanged, nodeStatusPatch } from './node-status.js';
import { SpreadScheduler } from './spread.js';

export interface NodeStatusReporterOptions {
  client: Client;
  clock: Clock;
  log: Logger;
  /** Report at least this often, ms (Kubernetes: 5 min). */
  reportFrequencyMs: number;
  /** Look for changes this often, ms (Kubernetes' node-status-update-frequency: 10 s). */
  checkIntervalMs: number;
  /** The status the node should show now; current is the Node as the informer has it. */
  desired(nodeName: string, current: Node | undefined): NodeStatus | Promise<NodeStatus>;
  /** The Node as the informer last showed it. */
  current(nodeName: string): Node | undefined;
  /** Checks in flight at once (default 32). */
  concurrency?: number;
  /** Told of every write: ok or failed. */
  onReport?(nodeName: string, ok: boolean): void;
}

export class NodeStatusReporter {
  private readonly lastReport = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  private readonly again = new Set<string>();
  private readonly scheduler: SpreadScheduler<string>;

  constructor(private readonly o: NodeStatusReporterOptions) {
    if (!(o.reportFrequencyMs > 0)) throw new RangeError(`reportFrequencyMs must be > 0, not ${o.reportFrequencyMs}`);
    this.scheduler = new SpreadScheduler<string>({
      intervalMs: o.checkIntervalMs,
      run: (name) => this.check(name),
      clock: o.clock,
      log: o.log,
      ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    });
  }

  /** Checks node every check interval, the first time after firstInMs (default: its spread slot). */
  add(nodeName: string, firstInMs?: number): void {
    this.scheduler.add(nodeName, firstInMs);
  }

  /** Stops reporting for node. */
  remove(nodeName: string): void {
    this.scheduler.remove(nodeName);
    this.again.delete(nodeName);
  }

  has(nodeName: string): boolean {
    return this.scheduler.has(nodeName);
  }

  /** Records that a report was written by someone else (registration wrote a full status). */
  reported(nodeName: string): void {
    this.lastReport.set(nodeName, this.o.clock.now());
  }

  /** Checks node now (coalesced with a check in flight); writes if it changed or a report is due. */
  async check(nodeName: string): Promise<void> {
    if (!this.scheduler.has(nodeName)) return;
    if (this.inFlight.has(nodeName)) {
      this.again.add(nodeName);
      return;
    }
    this.inFlight.add(nodeName);
    try {
      do {
        this.again.delete(nodeName);
        await this.checkOnce(nodeName);
      } while (this.again.has(nodeName) && this.scheduler.has(nodeName));
    } finally {
      this.inFlight.delete(nodeName);
    }
  }

  /** Stops every check. */
  stop(): void {
    this.scheduler.stop();
  }

  private async checkOnce(nodeName: string): Promise<void> {
    const current = this.o.current(nodeName);
    const desired = await this.o.desired(nodeName, current);
    const now = this.o.clock.now();
    const changed = nodeStatusChanged(current?.status, desired);
    if (!nodeReportDue(changed, this.lastReport.get(nodeName), now, this.o.reportFrequencyMs)) return;
    if (!this.scheduler.has(nodeName)) return;
    try {
      await this.o.client.resource<Node>('Node').patch('', nodeName, nodeStatusPatch(desired), 'strategic', { subresource: 'status' });
      this.lastReport.set(nodeName, now);
      this.o.onReport?.(nodeName, true);
    } catch (err) {
      this.o.onReport?.(nodeName, false);
      this.o.log.error(`failed to report the status of node "${nodeName}"`, err);
    }
  }
}
