/**
 * discovery.k8s.io/v1 EndpointSlice. Field lists follow k8s.io/api discovery/v1 types.go; its
 * lists are atomic (endpoints, ports, hints) or sets (addresses), with no patch strategy.
 */
import type { TypeSet } from '../dsl.js';

export const DISCOVERY: TypeSet = {
  package: 'discovery',
  types: {
    EndpointSlice: {
      addressType: 'string', apiVersion: 'string', endpoints: '[]Endpoint list=atomic', kind: 'string',
      metadata: 'meta.ObjectMeta', ports: '[]EndpointPort list=atomic',
    },
    Endpoint: {
      addresses: '[]string list=set', conditions: 'EndpointConditions', deprecatedTopology: 'map[string]',
      hints: 'EndpointHints', hostname: 'string', nodeName: 'string', targetRef: 'core.ObjectReference', zone: 'string',
    },
    EndpointConditions: {
      ready: 'boolean', serving: 'boolean', terminating: 'boolean',
    },
    EndpointHints: {
      forNodes: '[]ForNode list=atomic', forZones: '[]ForZone list=atomic',
    },
    ForNode: {
      name: 'string',
    },
    ForZone: {
      name: 'string',
    },
    EndpointPort: {
      appProtocol: 'string', name: 'string', port: 'integer', protocol: 'string',
    },
  },
};
