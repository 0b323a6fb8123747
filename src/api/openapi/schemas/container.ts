/**
 * core/v1 Container and what it holds: ports, env, resources, probes, lifecycle hooks, security
 * context, volume mounts, and ContainerStatus. Field lists follow k8s.io/api/core/v1/types.go.
 */
import type { TypeSet } from '../dsl.js';

export const CONTAINER: TypeSet = {
  package: 'core',
  types: {
    Container: {
      args: '[]string', command: '[]string', env: '[]EnvVar patch=merge key=name list=map(name)',
      envFrom: '[]EnvFromSource', image: 'string', imagePullPolicy: 'string', lifecycle: 'Lifecycle',
      livenessProbe: 'Probe', name: 'string',
      ports: '[]ContainerPort patch=merge key=containerPort list=map(containerPort,protocol)',
      readinessProbe: 'Probe', resizePolicy: '[]ContainerResizePolicy list=atomic',
      resources: 'ResourceRequirements', restartPolicy: 'string', restartPolicyRules: '[]ContainerRestartRule',
      securityContext: 'SecurityContext', startupProbe: 'Probe', stdin: 'boolean', stdinOnce: 'boolean',
      terminationMessagePath: 'string', terminationMessagePolicy: 'string', tty: 'boolean',
      volumeDevices: '[]VolumeDevice patch=merge key=devicePath list=map(devicePath)',
      volumeMounts: '[]VolumeMount patch=merge key=mountPath list=map(mountPath)', workingDir: 'string',
    },
    EphemeralContainer: {
      args: '[]string', command: '[]string', env: '[]EnvVar patch=merge key=name list=map(name)',
      envFrom: '[]EnvFromSource', image: 'string', imagePullPolicy: 'string', lifecycle: 'Lifecycle',
      livenessProbe: 'Probe', name: 'string',
      ports: '[]ContainerPort patch=merge key=containerPort list=map(containerPort,protocol)',
      readinessProbe: 'Probe', resizePolicy: '[]ContainerResizePolicy list=atomic',
      resources: 'ResourceRequirements', restartPolicy: 'string', restartPolicyRules: '[]ContainerRestartRule',
      securityContext: 'SecurityContext', startupProbe: 'Probe', stdin: 'boolean', stdinOnce: 'boolean',
      targetContainerName: 'string', terminationMessagePath: 'string', terminationMessagePolicy: 'string',
      tty: 'boolean', volumeDevices: '[]VolumeDevice patch=merge key=devicePath list=map(devicePath)',
      volumeMounts: '[]VolumeMount patch=merge key=mountPath list=map(mountPath)', workingDir: 'string',
    },
    ResourceRequirements: {
      claims: '[]ResourceClaim list=map(name)', limits: 'map[Quantity]', requests: 'map[Quantity]',
    },
    ContainerStatus: {
      allocatedResources: 'map[Quantity]', allocatedResourcesStatus: '[]ResourceStatus', containerID: 'string',
      image: 'string', imageID: 'string', lastState: 'ContainerState', name: 'string', ready: 'boolean',
      resources: 'ResourceRequirements', restartCount: 'integer', started: 'boolean', state: 'ContainerState',
      stopSignal: 'string', user: 'ContainerUser', volumeMounts: '[]VolumeMountStatus',
    },
    EnvVar: {
      name: 'string', value: 'string', valueFrom: 'EnvVarSource',
    },
    EnvFromSource: {
      configMapRef: 'ConfigMapEnvSource', prefix: 'string', secretRef: 'SecretEnvSource',
    },
    Lifecycle: {
      postStart: 'LifecycleHandler', preStop: 'LifecycleHandler', stopSignal: 'string',
    },
    Probe: {
      exec: 'ExecAction', failureThreshold: 'integer', grpc: 'GRPCAction', httpGet: 'HTTPGetAction',
      initialDelaySeconds: 'integer', periodSeconds: 'integer', successThreshold: 'integer',
      tcpSocket: 'TCPSocketAction', terminationGracePeriodSeconds: 'int64', timeoutSeconds: 'integer',
    },
    ContainerPort: {
      containerPort: 'integer', hostIP: 'string', hostPort: 'integer', name: 'string', protocol: 'string',
    },
    ContainerResizePolicy: {
      resourceName: 'string', restartPolicy: 'string',
    },
    ContainerRestartRule: {
      action: 'string', exitCodes: 'ContainerRestartRuleOnExitCodes',
    },
    SecurityContext: {
      allowPrivilegeEscalation: 'boolean', appArmorProfile: 'AppArmorProfile', capabilities: 'Capabilities',
      privileged: 'boolean', procMount: 'string', readOnlyRootFilesystem: 'boolean', runAsGroup: 'int64',
      runAsNonRoot: 'boolean', runAsUser: 'int64', seLinuxOptions: 'SELinuxOptions',
      seccompProfile: 'SeccompProfile', windowsOptions: 'WindowsSecurityContextOptions',
    },
    VolumeDevice: {
      devicePath: 'string', name: 'string',
    },
    VolumeMount: {
      mountPath: 'string', mountPropagation: 'string', name: 'string', readOnly: 'boolean',
      recursiveReadOnly: 'string', subPath: 'string', subPathExpr: 'string',
    },
    ResourceClaim: {
      name: 'string', request: 'string',
    },
    AppArmorProfile: {
      localhostProfile: 'string', type: 'string',
    },
    SELinuxOptions: {
      level: 'string', role: 'string', type: 'string', user: 'string',
    },
    SeccompProfile: {
      localhostProfile: 'string', type: 'string',
    },
    WindowsSecurityContextOptions: {
      gmsaCredentialSpec: 'string', gmsaCredentialSpecName: 'string', hostProcess: 'boolean',
      runAsUserName: 'string',
    },
    ResourceStatus: {
      name: 'string', resources: '[]ResourceHealth',
    },
    ContainerState: {
      running: 'ContainerStateRunning', terminated: 'ContainerStateTerminated',
      waiting: 'ContainerStateWaiting',
    },
    ContainerUser: {
      linux: 'LinuxContainerUser',
    },
    VolumeMountStatus: {
      mountPath: 'string', name: 'string', readOnly: 'boolean', recursiveReadOnly: 'string',
      volumeStatus: 'VolumeStatus',
    },
    ContainerExtendedResourceRequest: {
      containerName: 'string', requestName: 'string', resourceName: 'string',
    },
    EnvVarSource: {
      configMapKeyRef: 'ConfigMapKeySelector', fieldRef: 'ObjectFieldSelector', fileKeyRef: 'FileKeySelector',
      resourceFieldRef: 'ResourceFieldSelector', secretKeyRef: 'SecretKeySelector',
    },
    ConfigMapEnvSource: {
      name: 'string', optional: 'boolean',
    },
    SecretEnvSource: {
      name: 'string', optional: 'boolean',
    },
    LifecycleHandler: {
      exec: 'ExecAction', httpGet: 'HTTPGetAction', sleep: 'SleepAction', tcpSocket: 'TCPSocketAction',
    },
    ExecAction: {
      command: '[]string',
    },
    GRPCAction: {
      port: 'integer', service: 'string',
    },
    HTTPGetAction: {
      host: 'string', httpHeaders: '[]HTTPHeader', path: 'string', port: 'IntOrString', scheme: 'string',
    },
    TCPSocketAction: {
      host: 'string', port: 'IntOrString',
    },
    ContainerRestartRuleOnExitCodes: {
      operator: 'string', values: '[]integer',
    },
    Capabilities: {
      add: '[]string', drop: '[]string',
    },
    ResourceHealth: {
      health: 'string', message: 'string', resourceID: 'string',
    },
    ContainerStateRunning: {
      startedAt: 'Time',
    },
    ContainerStateTerminated: {
      containerID: 'string', exitCode: 'integer', finishedAt: 'Time', message: 'string', reason: 'string',
      signal: 'integer', startedAt: 'Time',
    },
    ContainerStateWaiting: {
      message: 'string', reason: 'string',
    },
    LinuxContainerUser: {
      gid: 'int64', supplementalGroups: '[]int64', uid: 'int64',
    },
    ConfigMapKeySelector: {
      key: 'string', name: 'string', optional: 'boolean',
    },
    ObjectFieldSelector: {
      apiVersion: 'string', fieldPath: 'string',
    },
    FileKeySelector: {
      key: 'string', optional: 'boolean', path: 'string', volumeName: 'string',
    },
    ResourceFieldSelector: {
      containerName: 'string', divisor: 'Quantity', resource: 'string',
    },
    SecretKeySelector: {
      key: 'string', name: 'string', optional: 'boolean',
    },
    SleepAction: {
      seconds: 'int64',
    },
    HTTPHeader: {
      name: 'string', value: 'string',
    },
    ImageVolumeStatus: {
      imageRef: 'string',
    },
  },
};
