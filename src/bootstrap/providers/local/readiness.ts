/** Waiting, through the API, for a lab's nodes to register and report Ready. */
import type { Node } from '../../../api/types.js';
import { Client } from '../../../client/rest.js';

/** Resolves once every named node is Ready; the error names the ones that are not. */
export async function waitNodesReady(kubeconfig: string, names: string[], timeoutMs: number): Promise<void> {
  const client = Client.fromKubeconfig(kubeconfig);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const list = await client.resource<Node>('Node').list('');
      const ready = new Set(list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata.name!));
      const missing = names.filter((n) => !ready.has(n));
      if (missing.length === 0) return;
      if (Date.now() > deadline) throw new Error(`node${missing.length === 1 ? '' : 's'} ${missing.join(', ')} not Ready within ${timeoutMs / 1000} s (see the kubelet logs)`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    client.close();
  }
}
