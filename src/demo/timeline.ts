/**
 * The demo's timeline: what happened after the fault and when, as a discriminated union with one
 * formatter per kind (so every kind is printed), times relative to the fault, from the lab clock.
 */

export type TimelineEvent =
  | { kind: 'crashed'; at: number; node: string; pods: string[] }
  | { kind: 'node-not-ready'; at: number; node: string; status: string }
  | { kind: 'pods-evicted'; at: number; pods: string[] }
  | { kind: 'replacements-created'; at: number; pods: string[] }
  | { kind: 'replacements-ready'; at: number; pods: { name: string; node: string }[] }
  | { kind: 'endpoints-dropped'; at: number; ready: number }
  | { kind: 'endpoints-restored'; at: number; ready: number }
  | { kind: 'node-restarted'; at: number; node: string };

export function formatEvent(e: TimelineEvent): string {
  switch (e.kind) {
    case 'crashed':
      return `${e.node} crashed: kubelet, proxy and ${e.pods.length} pod${e.pods.length === 1 ? '' : 's'} (${e.pods.join(', ')}) killed`;
    case 'node-not-ready':
      return `${e.node} is ${e.status} (its lease stopped; node lifecycle controller)`;
    case 'pods-evicted':
      return `${e.pods.length} pod${e.pods.length === 1 ? '' : 's'} on the lost node marked for deletion (taint eviction; Terminating until the node returns)`;
    case 'replacements-created':
      return `${e.pods.length} replacement pod${e.pods.length === 1 ? '' : 's'} created (ReplicaSet controller)`;
    case 'replacements-ready':
      return `replacements Running and Ready: ${e.pods.map((p) => `${p.name} on ${p.node}`).join(', ')}`;
    case 'endpoints-dropped':
      return `the lost node's pods left the Service endpoints (marked not ready); ${e.ready} ready address${e.ready === 1 ? '' : 'es'} serve`;
    case 'endpoints-restored':
      return `Service endpoints back to ${e.ready} ready addresses, none on the lost node`;
    case 'node-restarted':
      return `${e.node} restarted and Ready again`;
  }
}

export function formatTimeline(events: TimelineEvent[], t0: number): string {
  return events.map((e) => `  ${`+${((e.at - t0) / 1000).toFixed(1)}s`.padStart(8)}  ${formatEvent(e)}`).join('\n');
}
