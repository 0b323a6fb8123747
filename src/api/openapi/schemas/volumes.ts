/**
 * core/v1 Volume and its sources. The in-tree cloud and network volume plugins that Kubernetes has
 * deprecated (awsElasticBlockStore, rbd, glusterfs, ...) are free-form objects: writing their
 * structs out would be a large subtree nobody here uses. Every other source is written out.
 */
import type { TypeSet } from '../dsl.js';

export const VOLUMES: TypeSet = {
  package: 'core',
  types: {
    Volume: {
      awsElasticBlockStore: 'object', azureDisk: 'object', azureFile: 'object', cephfs: 'object',
      cinder: 'object', configMap: 'ConfigMapVolumeSource', csi: 'CSIVolumeSource',
      downwardAPI: 'DownwardAPIVolumeSource', emptyDir: 'EmptyDirVolumeSource',
      ephemeral: 'EphemeralVolumeSource', fc: 'object', flexVolume: 'object', flocker: 'object',
      gcePersistentDisk: 'object', gitRepo: 'object', glusterfs: 'object', hostPath: 'HostPathVolumeSource',
      image: 'ImageVolumeSource', iscsi: 'object', name: 'string', nfs: 'NFSVolumeSource',
      persistentVolumeClaim: 'PersistentVolumeClaimVolumeSource', photonPersistentDisk: 'object',
      portworxVolume: 'object', projected: 'ProjectedVolumeSource', quobyte: 'object', rbd: 'object',
      scaleIO: 'object', secret: 'SecretVolumeSource', storageos: 'object', vsphereVolume: 'object',
    },
    ConfigMapVolumeSource: {
      defaultMode: 'integer', items: '[]KeyToPath', name: 'string', optional: 'boolean',
    },
    CSIVolumeSource: {
      driver: 'string', fsType: 'string', nodePublishSecretRef: 'LocalObjectReference', readOnly: 'boolean',
      volumeAttributes: 'map[string]',
    },
    DownwardAPIVolumeSource: {
      defaultMode: 'integer', items: '[]DownwardAPIVolumeFile',
    },
    EmptyDirVolumeSource: {
      medium: 'string', sizeLimit: 'Quantity',
    },
    EphemeralVolumeSource: {
      volumeClaimTemplate: 'PersistentVolumeClaimTemplate',
    },
    HostPathVolumeSource: {
      path: 'string', type: 'string',
    },
    ImageVolumeSource: {
      pullPolicy: 'string', reference: 'string',
    },
    NFSVolumeSource: {
      path: 'string', readOnly: 'boolean', server: 'string',
    },
    PersistentVolumeClaimVolumeSource: {
      claimName: 'string', readOnly: 'boolean',
    },
    ProjectedVolumeSource: {
      defaultMode: 'integer', sources: '[]VolumeProjection',
    },
    SecretVolumeSource: {
      defaultMode: 'integer', items: '[]KeyToPath', optional: 'boolean', secretName: 'string',
    },
    KeyToPath: {
      key: 'string', mode: 'integer', path: 'string',
    },
    DownwardAPIVolumeFile: {
      fieldRef: 'ObjectFieldSelector', mode: 'integer', path: 'string',
      resourceFieldRef: 'ResourceFieldSelector',
    },
    PersistentVolumeClaimTemplate: {
      metadata: 'meta.ObjectMeta', spec: 'PersistentVolumeClaimSpec',
    },
    VolumeProjection: {
      clusterTrustBundle: 'ClusterTrustBundleProjection', configMap: 'ConfigMapProjection',
      downwardAPI: 'DownwardAPIProjection', podCertificate: 'PodCertificateProjection',
      secret: 'SecretProjection', serviceAccountToken: 'ServiceAccountTokenProjection',
    },
    PersistentVolumeClaimSpec: {
      accessModes: '[]string', dataSource: 'TypedLocalObjectReference', dataSourceRef: 'TypedObjectReference',
      resources: 'VolumeResourceRequirements', selector: 'meta.LabelSelector', storageClassName: 'string',
      volumeAttributesClassName: 'string', volumeMode: 'string', volumeName: 'string',
    },
    ClusterTrustBundleProjection: {
      labelSelector: 'meta.LabelSelector', name: 'string', optional: 'boolean', path: 'string',
      signerName: 'string',
    },
    ConfigMapProjection: {
      items: '[]KeyToPath', name: 'string', optional: 'boolean',
    },
    DownwardAPIProjection: {
      items: '[]DownwardAPIVolumeFile',
    },
    PodCertificateProjection: {
      certificateChainPath: 'string', credentialBundlePath: 'string', keyPath: 'string', keyType: 'string',
      maxExpirationSeconds: 'integer', signerName: 'string', userAnnotations: 'map[string]',
    },
    SecretProjection: {
      items: '[]KeyToPath', name: 'string', optional: 'boolean',
    },
    ServiceAccountTokenProjection: {
      audience: 'string', expirationSeconds: 'int64', path: 'string',
    },
    TypedLocalObjectReference: {
      apiGroup: 'string', kind: 'string', name: 'string',
    },
    TypedObjectReference: {
      apiGroup: 'string', kind: 'string', name: 'string', namespace: 'string',
    },
    VolumeResourceRequirements: {
      limits: 'map[Quantity]', requests: 'map[Quantity]',
    },
  },
};
