/**
 * Node registration (registerWithAPIServer / tryRegisterWithAPIServer): create the Node; if one of
 * that name exists (the kubelet restarted, or the machine came back), take it over and reconcile
 * the labels the kubelet owns rather than fail. Retried with a growing delay until it works or the
 * kubelet stops, since a kubelet without a Node has nothing to do.
 */
import type { Node } from '../../../api/types.js';
import { Backoff } from '../../../client/backoff.js';
import { isAlreadyExists } from '../../../client/errors.js';
import type { Client } from '../../../client/rest.js';
import type { Clock } from '../../../util/clock.js';
import type { Logger } from '../../../util/log.js';
import { labelsToReconcile, type NodeConfig } from './node-status.js';

/** Creates node, or takes over an existing Node of its name; resolves with the Node as the API has it. */
export async function registerOnce(client: Client, node: Node, cfg: NodeConfig, signal?: AbortSignal): Promise<{ node: Node; created: boolean }> {
  const nodes = client.resource<Node>('Node');
  try {
    return { node: await nodes.create('', node, signal ? { signal } : undefined), created: true };
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const existing = await nodes.get('', cfg.name, signal ? { signal } : undefined);
  const labels = labelsToReconcile(existing, cfg);
  if (!labels) return { node: existing, created: false };
  return { node: await nodes.patch('', cfg.name, { metadata: { labels } }, 'merge', signal ? { signal } : undefined), created: false };
}

/** registerOnce until it works (100 ms doubling to 7 s between tries, as the kubelet), or signal aborts. */
export async function registerNode(client: Client, node: () => Node, cfg: NodeConfig, o: { clock: Clock; log: Logger; signal: AbortSignal }): Promise<{ node: Node; created: boolean }> {
  const backoff = new Backoff({ initialMs: 100, maxMs: 7000, jitter: 0 });
  for (;;) {
    try {
      const r = await registerOnce(client, node(), cfg, o.signal);
      o.log.v(1).info(r.created ? 'registered node' : 'took over existing node', { node: cfg.name });
      return r;
    } catch (err) {
      if (o.signal.aborted) throw o.signal.reason;
      const delay = backoff.next();
      o.log.error(`unable to register node "${cfg.name}" with the API server; retrying in ${delay} ms`, err);
      await o.clock.sleep(delay, o.signal);
    }
  }
}
