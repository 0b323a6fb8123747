/**
 * The other core/v1 kinds kubelab serves: Node, Namespace, Service, Endpoints, Event, ConfigMap,
 * Binding, and the references they share. Field lists follow k8s.io/api/core/v1/types.go.
 */
import type { TypeSet } from '../dsl.js';

export const CORE: TypeSet = {
  package: 'core',
  types: {
    Node: {
      apiVersion: 'string', kind: 'string', metadata: 'meta.ObjectMeta', spec: 'NodeSpec', status: 'NodeStatus',
    },
    Namespace: {
      apiVersion: 'string', kind: 'string', metadata: 'meta.ObjectMeta', spec: 'NamespaceSpec',
      status: 'NamespaceStatus',
    },
    Service: {
      apiVersion: 'string', kind: 'string', metadata: 'meta.ObjectMeta', spec: 'ServiceSpec',
      status: 'ServiceStatus',
    },
    Endpoints: {
      apiVersion: 'string', kind: 'string', metadata: 'meta.ObjectMeta', subsets: '[]EndpointSubset',
    },
    Event: {
      action: 'string', apiVersion: 'string', count: 'integer', eventTime: 'MicroTime', firstTimestamp: 'Time',
      involvedObject: 'ObjectReference', kind: 'string', lastTimestamp: 'Time', message: 'string',
      metadata: 'meta.ObjectMeta', reason: 'string', related: 'ObjectReference', reportingComponent: 'string',
      reportingInstance: 'string', series: 'EventSeries', source: 'EventSource', type: 'string',
    },
    ConfigMap: {
      apiVersion: 'string', binaryData: 'map[string]', data: 'map[string]', immutable: 'boolean',
      kind: 'string', metadata: 'meta.ObjectMeta',
    },
    Binding: {
      apiVersion: 'string', kind: 'string', metadata: 'meta.ObjectMeta', target: 'ObjectReference',
    },
    NodeSpec: {
      configSource: 'NodeConfigSource', externalID: 'string', podCIDR: 'string',
      podCIDRs: '[]string patch=merge list=set', providerID: 'string', taints: '[]Taint',
      unschedulable: 'boolean',
    },
    NodeStatus: {
      addresses: '[]NodeAddress patch=merge key=type', allocatable: 'map[Quantity]', capacity: 'map[Quantity]',
      conditions: '[]NodeCondition patch=merge key=type', config: 'NodeConfigStatus',
      daemonEndpoints: 'NodeDaemonEndpoints', declaredFeatures: '[]string', features: 'NodeFeatures',
      images: '[]ContainerImage', nodeInfo: 'NodeSystemInfo', phase: 'string',
      runtimeHandlers: '[]NodeRuntimeHandler', volumesAttached: '[]AttachedVolume', volumesInUse: '[]string',
    },
    NamespaceSpec: {
      finalizers: '[]string',
    },
    NamespaceStatus: {
      conditions: '[]NamespaceCondition patch=merge key=type', phase: 'string',
    },
    ServiceSpec: {
      allocateLoadBalancerNodePorts: 'boolean', clusterIP: 'string', clusterIPs: '[]string list=atomic',
      externalIPs: '[]string', externalName: 'string', externalTrafficPolicy: 'string',
      healthCheckNodePort: 'integer', internalTrafficPolicy: 'string', ipFamilies: '[]string list=atomic',
      ipFamilyPolicy: 'string', loadBalancerClass: 'string', loadBalancerIP: 'string',
      loadBalancerSourceRanges: '[]string', ports: '[]ServicePort patch=merge key=port list=map(port,protocol)',
      publishNotReadyAddresses: 'boolean', selector: 'map[string]', sessionAffinity: 'string',
      sessionAffinityConfig: 'SessionAffinityConfig', trafficDistribution: 'string', type: 'string',
    },
    ServiceStatus: {
      conditions: '[]meta.Condition patch=merge key=type list=map(type)', loadBalancer: 'LoadBalancerStatus',
    },
    EndpointSubset: {
      addresses: '[]EndpointAddress', notReadyAddresses: '[]EndpointAddress', ports: '[]EndpointPort',
    },
    ObjectReference: {
      apiVersion: 'string', fieldPath: 'string', kind: 'string', name: 'string', namespace: 'string',
      resourceVersion: 'string', uid: 'string',
    },
    EventSeries: {
      count: 'integer', lastObservedTime: 'MicroTime',
    },
    EventSource: {
      component: 'string', host: 'string',
    },
    LocalObjectReference: {
      name: 'string',
    },
    NodeAllocatableResourceClaimStatus: {
      containers: '[]string', resourceClaimName: 'string', resources: 'map[string]',
    },
    NodeConfigSource: {
      configMap: 'ConfigMapNodeConfigSource',
    },
    Taint: {
      effect: 'string', key: 'string', timeAdded: 'Time', value: 'string',
    },
    NodeAddress: {
      address: 'string', type: 'string',
    },
    NodeCondition: {
      lastHeartbeatTime: 'Time', lastTransitionTime: 'Time', message: 'string', reason: 'string',
      status: 'string', type: 'string',
    },
    NodeConfigStatus: {
      active: 'NodeConfigSource', assigned: 'NodeConfigSource', error: 'string',
      lastKnownGood: 'NodeConfigSource',
    },
    NodeDaemonEndpoints: {
      kubeletEndpoint: 'DaemonEndpoint',
    },
    NodeFeatures: {
      supplementalGroupsPolicy: 'boolean',
    },
    ContainerImage: {
      names: '[]string', sizeBytes: 'int64',
    },
    NodeSystemInfo: {
      architecture: 'string', bootID: 'string', containerRuntimeVersion: 'string', kernelVersion: 'string',
      kubeProxyVersion: 'string', kubeletVersion: 'string', machineID: 'string', operatingSystem: 'string',
      osImage: 'string', swap: 'NodeSwapStatus', systemUUID: 'string',
    },
    NodeRuntimeHandler: {
      features: 'NodeRuntimeHandlerFeatures', name: 'string',
    },
    AttachedVolume: {
      devicePath: 'string', name: 'string',
    },
    NamespaceCondition: {
      lastTransitionTime: 'Time', message: 'string', reason: 'string', status: 'string', type: 'string',
    },
    ServicePort: {
      appProtocol: 'string', name: 'string', nodePort: 'integer', port: 'integer', protocol: 'string',
      targetPort: 'IntOrString',
    },
    SessionAffinityConfig: {
      clientIP: 'ClientIPConfig',
    },
    LoadBalancerStatus: {
      ingress: '[]LoadBalancerIngress',
    },
    EndpointAddress: {
      hostname: 'string', ip: 'string', nodeName: 'string', targetRef: 'ObjectReference',
    },
    EndpointPort: {
      appProtocol: 'string', name: 'string', port: 'integer', protocol: 'string',
    },
    NodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: '[]PreferredSchedulingTerm',
      requiredDuringSchedulingIgnoredDuringExecution: 'NodeSelector',
    },
    ConfigMapNodeConfigSource: {
      kubeletConfigKey: 'string', name: 'string', namespace: 'string', resourceVersion: 'string', uid: 'string',
    },
    DaemonEndpoint: {
      Port: 'integer',
    },
    NodeSwapStatus: {
      capacity: 'int64',
    },
    NodeRuntimeHandlerFeatures: {
      recursiveReadOnlyMounts: 'boolean', userNamespaces: 'boolean',
    },
    ClientIPConfig: {
      timeoutSeconds: 'integer',
    },
    LoadBalancerIngress: {
      hostname: 'string', ip: 'string', ipMode: 'string', ports: '[]PortStatus',
    },
    NodeSelector: {
      nodeSelectorTerms: '[]NodeSelectorTerm',
    },
    PortStatus: {
      error: 'string', port: 'integer', protocol: 'string',
    },
    NodeSelectorTerm: {
      matchExpressions: '[]NodeSelectorRequirement', matchFields: '[]NodeSelectorRequirement',
    },
    NodeSelectorRequirement: {
      key: 'string', operator: 'string', values: '[]string',
    },
  },
};
