/**
 * The Deployment controller (Kubernetes pkg/controller/deployment): one ReplicaSet per pod
 * template (pod-template-hash), RollingUpdate within maxSurge/maxUnavailable and Recreate,
 * proportional scaling, revisions and history, pause/resume, and the Available and Progressing
 * conditions kubectl rollout reads. controller.ts wires it to the shared informers; sync.ts and
 * the modules it uses decide.
 */
export { newDeploymentController, DEPLOYMENT_CONTROLLER_NAME } from './controller.js';
export { DeploymentSyncer, type DeploymentControl, type DeploymentSyncDeps } from './sync.js';
export { computeHash, POD_TEMPLATE_HASH_LABEL } from './hash.js';
export { maxSurge, maxUnavailable, resolveFenceposts } from './fenceposts.js';
export {
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
} from './annotations.js';
export { deploymentComplete, getCondition } from './conditions.js';
