/**
 * core/v1 Container and what it holds: ports, env, resources, probes, lifecycle hooks, security
 * context, volume mounts, and ContainerStatus. Field numbers follow k8s.io/api core/v1
 * generated.proto; * and ! follow core/v1/types.go (see ../dsl.ts).
 */
import type { MessageSet } from '../dsl.js';

/** Container and EphemeralContainerCommon share their fields and numbers. */
const CONTAINER_FIELDS: Record<number, string> = {
  1: 'name string!', 2: 'image string', 3: 'command []string', 4: 'args []string', 5: 'workingDir string',
  6: 'ports []ContainerPort', 19: 'envFrom []EnvFromSource', 7: 'env []EnvVar', 8: 'resources ResourceRequirements',
  23: 'resizePolicy []ContainerResizePolicy', 24: 'restartPolicy *string', 25: 'restartPolicyRules []ContainerRestartRule',
  9: 'volumeMounts []VolumeMount', 21: 'volumeDevices []VolumeDevice', 10: 'livenessProbe Probe', 11: 'readinessProbe Probe',
  22: 'startupProbe Probe', 12: 'lifecycle Lifecycle', 13: 'terminationMessagePath string',
  20: 'terminationMessagePolicy string', 14: 'imagePullPolicy string', 15: 'securityContext SecurityContext',
  16: 'stdin bool', 17: 'stdinOnce bool', 18: 'tty bool',
};

export const CONTAINER: MessageSet = {
  package: 'core',
  messages: {
    Container: CONTAINER_FIELDS,
    EphemeralContainerCommon: CONTAINER_FIELDS,
    EphemeralContainer: { 1: '... EphemeralContainerCommon', 2: 'targetContainerName string' },
    ContainerPort: {
      1: 'name string', 2: 'hostPort int32', 3: 'containerPort int32!', 4: 'protocol string', 5: 'hostIP string',
    },
    EnvFromSource: { 1: 'prefix string', 2: 'configMapRef ConfigMapEnvSource', 3: 'secretRef SecretEnvSource' },
    ConfigMapEnvSource: { 1: '... LocalObjectReference', 2: 'optional *bool' },
    SecretEnvSource: { 1: '... LocalObjectReference', 2: 'optional *bool' },
    EnvVar: { 1: 'name string!', 2: 'value string', 3: 'valueFrom EnvVarSource' },
    EnvVarSource: {
      1: 'fieldRef ObjectFieldSelector', 2: 'resourceFieldRef ResourceFieldSelector',
      3: 'configMapKeyRef ConfigMapKeySelector', 4: 'secretKeyRef SecretKeySelector', 5: 'fileKeyRef FileKeySelector',
    },
    ObjectFieldSelector: { 1: 'apiVersion string', 2: 'fieldPath string!' },
    ResourceFieldSelector: { 1: 'containerName string', 2: 'resource string!', 3: 'divisor Quantity' },
    ConfigMapKeySelector: { 1: '... LocalObjectReference', 2: 'key string!', 3: 'optional *bool' },
    SecretKeySelector: { 1: '... LocalObjectReference', 2: 'key string!', 3: 'optional *bool' },
    FileKeySelector: { 1: 'volumeName string!', 2: 'path string!', 3: 'key string!', 4: 'optional *bool' },
    ResourceRequirements: { 1: 'limits map[Quantity]', 2: 'requests map[Quantity]', 3: 'claims []ResourceClaim' },
    ResourceClaim: { 1: 'name string!', 2: 'request string' },
    ContainerResizePolicy: { 1: 'resourceName string!', 2: 'restartPolicy string!' },
    ContainerRestartRule: { 1: 'action string!', 2: 'exitCodes ContainerRestartRuleOnExitCodes' },
    ContainerRestartRuleOnExitCodes: { 1: 'operator string!', 2: 'values []int32' },
    VolumeMount: {
      1: 'name string!', 2: 'readOnly bool', 7: 'recursiveReadOnly *string', 3: 'mountPath string!', 4: 'subPath string',
      5: 'mountPropagation *string', 6: 'subPathExpr string',
    },
    VolumeDevice: { 1: 'name string!', 2: 'devicePath string!' },
    Probe: {
      1: '... ProbeHandler', 2: 'initialDelaySeconds int32', 3: 'timeoutSeconds int32', 4: 'periodSeconds int32',
      5: 'successThreshold int32', 6: 'failureThreshold int32', 7: 'terminationGracePeriodSeconds *int64',
    },
    ProbeHandler: { 1: 'exec ExecAction', 2: 'httpGet HTTPGetAction', 3: 'tcpSocket TCPSocketAction', 4: 'grpc GRPCAction' },
    ExecAction: { 1: 'command []string' },
    HTTPGetAction: { 1: 'path string', 2: 'port IntOrString', 3: 'host string', 4: 'scheme string', 5: 'httpHeaders []HTTPHeader' },
    HTTPHeader: { 1: 'name string!', 2: 'value string!' },
    TCPSocketAction: { 1: 'port IntOrString', 2: 'host string' },
    GRPCAction: { 1: 'port int32!', 2: 'service *string' },
    Lifecycle: { 1: 'postStart LifecycleHandler', 2: 'preStop LifecycleHandler', 3: 'stopSignal *string' },
    LifecycleHandler: {
      1: 'exec ExecAction', 2: 'httpGet HTTPGetAction', 3: 'tcpSocket TCPSocketAction', 4: 'sleep SleepAction',
    },
    SleepAction: { 1: 'seconds int64!' },
    SecurityContext: {
      1: 'capabilities Capabilities', 2: 'privileged *bool', 3: 'seLinuxOptions SELinuxOptions',
      10: 'windowsOptions WindowsSecurityContextOptions', 4: 'runAsUser *int64', 8: 'runAsGroup *int64',
      5: 'runAsNonRoot *bool', 6: 'readOnlyRootFilesystem *bool', 7: 'allowPrivilegeEscalation *bool',
      9: 'procMount *string', 11: 'seccompProfile SeccompProfile', 12: 'appArmorProfile AppArmorProfile',
      13: 'ulimits []Ulimit',
    },
    Capabilities: { 1: 'add []string', 2: 'drop []string' },
    SELinuxOptions: { 1: 'user string', 2: 'role string', 3: 'type string', 4: 'level string' },
    WindowsSecurityContextOptions: {
      1: 'gmsaCredentialSpecName *string', 2: 'gmsaCredentialSpec *string', 3: 'runAsUserName *string', 4: 'hostProcess *bool',
    },
    SeccompProfile: { 1: 'type string!', 2: 'localhostProfile *string' },
    AppArmorProfile: { 1: 'type string!', 2: 'localhostProfile *string' },
    Ulimit: { 1: 'name string!', 2: 'hard int64!', 3: 'soft int64!' },
    ContainerStatus: {
      1: 'name string!', 2: 'state ContainerState', 3: 'lastState ContainerState', 4: 'ready bool!',
      5: 'restartCount int32!', 6: 'image string!', 7: 'imageID string!', 8: 'containerID string', 9: 'started *bool',
      10: 'allocatedResources map[Quantity]', 11: 'resources ResourceRequirements', 12: 'volumeMounts []VolumeMountStatus',
      13: 'user ContainerUser', 14: 'allocatedResourcesStatus []ResourceStatus', 15: 'stopSignal *string',
    },
    ContainerState: {
      1: 'waiting ContainerStateWaiting', 2: 'running ContainerStateRunning', 3: 'terminated ContainerStateTerminated',
    },
    ContainerStateWaiting: { 1: 'reason string', 2: 'message string' },
    ContainerStateRunning: { 1: 'startedAt Time' },
    ContainerStateTerminated: {
      1: 'exitCode int32!', 2: 'signal int32', 3: 'reason string', 4: 'message string', 5: 'startedAt Time',
      6: 'finishedAt Time', 7: 'containerID string',
    },
    VolumeMountStatus: {
      1: 'name string!', 2: 'mountPath string!', 3: 'readOnly bool', 4: 'recursiveReadOnly *string', 5: 'volumeStatus VolumeStatus',
    },
    VolumeStatus: { 1: 'image ImageVolumeStatus' },
    ImageVolumeStatus: { 1: 'imageRef string!' },
    ContainerUser: { 1: 'linux LinuxContainerUser' },
    LinuxContainerUser: { 1: 'uid int64!', 2: 'gid int64!', 3: 'supplementalGroups []int64' },
    ResourceStatus: { 1: 'name string!', 2: 'resources []ResourceHealth' },
    ResourceHealth: { 1: 'resourceID string!', 2: 'health string', 6: 'message *string' },
  },
};
