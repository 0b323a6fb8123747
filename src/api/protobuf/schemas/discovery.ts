/**
 * discovery.k8s.io/v1 EndpointSlice. Field numbers follow k8s.io/api discovery/v1 generated.proto;
 * every optional scalar of types.go is a pointer (*), addressType and the hint names are not
 * omitempty (!).
 */
import type { MessageSet } from '../dsl.js';

export const DISCOVERY: MessageSet = {
  package: 'discovery',
  messages: {
    EndpointSlice: { 1: 'metadata meta.ObjectMeta', 4: 'addressType string!', 2: 'endpoints []Endpoint', 3: 'ports []EndpointPort' },
    Endpoint: {
      1: 'addresses []string', 2: 'conditions EndpointConditions', 3: 'hostname *string', 4: 'targetRef core.ObjectReference',
      5: 'deprecatedTopology map[string]', 6: 'nodeName *string', 7: 'zone *string', 8: 'hints EndpointHints',
    },
    EndpointConditions: { 1: 'ready *bool', 2: 'serving *bool', 3: 'terminating *bool' },
    EndpointHints: { 1: 'forZones []ForZone', 2: 'forNodes []ForNode' },
    ForZone: { 1: 'name string!' },
    ForNode: { 1: 'name string!' },
    EndpointPort: { 1: 'name *string', 2: 'protocol *string', 3: 'port *int32', 4: 'appProtocol *string' },
  },
};
