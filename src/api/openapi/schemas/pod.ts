/**
 * core/v1 Pod, PodSpec, PodStatus and the scheduling types they hold (affinity, tolerations,
 * topology spread, security context, DNS). Field lists follow k8s.io/api/core/v1/types.go; every
 * struct is written out, because kubectl's strategic-merge patch lookup cannot descend into a
 * free-form object and a typo inside one would go unreported.
 */
import type { TypeSet } from '../dsl.js';

export const POD: TypeSet = {
  package: 'core',
  types: {
    Pod: {
      apiVersion: 'string', kind: 'string', metadata: 'meta.ObjectMeta', spec: 'PodSpec', status: 'PodStatus',
    },
    PodSpec: {
      activeDeadlineSeconds: 'int64', affinity: 'Affinity', automountServiceAccountToken: 'boolean',
      containers: '[]Container patch=merge key=name list=map(name)', dnsConfig: 'PodDNSConfig',
      dnsPolicy: 'string', enableServiceLinks: 'boolean',
      ephemeralContainers: '[]EphemeralContainer patch=merge key=name list=map(name)',
      hostAliases: '[]HostAlias patch=merge key=ip list=map(ip)', hostIPC: 'boolean', hostNetwork: 'boolean',
      hostPID: 'boolean', hostUsers: 'boolean', hostname: 'string', hostnameOverride: 'string',
      imagePullSecrets: '[]LocalObjectReference patch=merge key=name list=map(name)',
      initContainers: '[]Container patch=merge key=name list=map(name)', nodeName: 'string',
      nodeSelector: 'map[string]', os: 'PodOS', overhead: 'map[Quantity]', preemptionPolicy: 'string',
      priority: 'integer', priorityClassName: 'string', readinessGates: '[]PodReadinessGate',
      resourceClaims: '[]PodResourceClaim patch=merge,retainKeys key=name list=map(name)',
      resources: 'ResourceRequirements', restartPolicy: 'string', runtimeClassName: 'string',
      schedulerName: 'string', schedulingGates: '[]PodSchedulingGate patch=merge key=name list=map(name)',
      schedulingGroup: 'PodSchedulingGroup', securityContext: 'PodSecurityContext', serviceAccount: 'string',
      serviceAccountName: 'string', setHostnameAsFQDN: 'boolean', shareProcessNamespace: 'boolean',
      subdomain: 'string', terminationGracePeriodSeconds: 'int64', tolerations: '[]Toleration list=atomic',
      topologySpreadConstraints: '[]TopologySpreadConstraint patch=merge key=topologyKey list=map(topologyKey,whenUnsatisfiable)',
      volumes: '[]Volume patch=merge,retainKeys key=name list=map(name)',
    },
    PodStatus: {
      allocatedResources: 'map[Quantity]', conditions: '[]PodCondition patch=merge key=type list=map(type)',
      containerStatuses: '[]ContainerStatus', ephemeralContainerStatuses: '[]ContainerStatus',
      extendedResourceClaimStatus: 'PodExtendedResourceClaimStatus', hostIP: 'string',
      hostIPs: '[]HostIP patch=merge key=ip list=atomic', initContainerStatuses: '[]ContainerStatus',
      message: 'string', nodeAllocatableResourceClaimStatuses: '[]NodeAllocatableResourceClaimStatus',
      nominatedNodeName: 'string', observedGeneration: 'int64', phase: 'string', podIP: 'string',
      podIPs: '[]PodIP patch=merge key=ip list=map(ip)', qosClass: 'string', reason: 'string', resize: 'string',
      resourceClaimStatuses: '[]PodResourceClaimStatus patch=merge,retainKeys key=name list=map(name)',
      resources: 'ResourceRequirements', startTime: 'Time',
    },
    Affinity: {
      nodeAffinity: 'NodeAffinity', podAffinity: 'PodAffinity', podAntiAffinity: 'PodAntiAffinity',
    },
    PodDNSConfig: {
      nameservers: '[]string', options: '[]PodDNSConfigOption', searches: '[]string',
    },
    HostAlias: {
      hostnames: '[]string', ip: 'string',
    },
    PodOS: {
      name: 'string',
    },
    PodReadinessGate: {
      conditionType: 'string',
    },
    PodResourceClaim: {
      name: 'string', resourceClaimName: 'string', resourceClaimTemplateName: 'string',
    },
    PodSchedulingGate: {
      name: 'string',
    },
    PodSchedulingGroup: {
      podGroupName: 'string',
    },
    PodSecurityContext: {
      appArmorProfile: 'AppArmorProfile', fsGroup: 'int64', fsGroupChangePolicy: 'string', runAsGroup: 'int64',
      runAsNonRoot: 'boolean', runAsUser: 'int64', seLinuxChangePolicy: 'string',
      seLinuxOptions: 'SELinuxOptions', seccompProfile: 'SeccompProfile', supplementalGroups: '[]int64',
      supplementalGroupsPolicy: 'string', sysctls: '[]Sysctl', windowsOptions: 'WindowsSecurityContextOptions',
    },
    Toleration: {
      effect: 'string', key: 'string', operator: 'string', tolerationSeconds: 'int64', value: 'string',
    },
    TopologySpreadConstraint: {
      labelSelector: 'meta.LabelSelector', matchLabelKeys: '[]string', maxSkew: 'integer',
      minDomains: 'integer', nodeAffinityPolicy: 'string', nodeTaintsPolicy: 'string', topologyKey: 'string',
      whenUnsatisfiable: 'string',
    },
    PodCondition: {
      lastProbeTime: 'Time', lastTransitionTime: 'Time', message: 'string', observedGeneration: 'int64',
      reason: 'string', status: 'string', type: 'string',
    },
    PodExtendedResourceClaimStatus: {
      requestMappings: '[]ContainerExtendedResourceRequest', resourceClaimName: 'string',
    },
    HostIP: {
      ip: 'string',
    },
    PodIP: {
      ip: 'string',
    },
    PodResourceClaimStatus: {
      name: 'string', resourceClaimName: 'string',
    },
    PodTemplateSpec: {
      metadata: 'meta.ObjectMeta', spec: 'PodSpec',
    },
    PodAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: '[]WeightedPodAffinityTerm',
      requiredDuringSchedulingIgnoredDuringExecution: '[]PodAffinityTerm',
    },
    PodAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: '[]WeightedPodAffinityTerm',
      requiredDuringSchedulingIgnoredDuringExecution: '[]PodAffinityTerm',
    },
    PodDNSConfigOption: {
      name: 'string', value: 'string',
    },
    Sysctl: {
      name: 'string', value: 'string',
    },
    PreferredSchedulingTerm: {
      preference: 'NodeSelectorTerm', weight: 'integer',
    },
    WeightedPodAffinityTerm: {
      podAffinityTerm: 'PodAffinityTerm', weight: 'integer',
    },
    PodAffinityTerm: {
      labelSelector: 'meta.LabelSelector', matchLabelKeys: '[]string', mismatchLabelKeys: '[]string',
      namespaceSelector: 'meta.LabelSelector', namespaces: '[]string', topologyKey: 'string',
    },
    VolumeStatus: {
      image: 'ImageVolumeStatus',
    },
  },
};
