/**
 * The Deployment controller's reconcile step (Kubernetes pkg/controller/deployment/
 * deployment_controller.go, syncDeployment), with every write behind DeploymentControl so that
 * tests drive it with seeded caches and a fake:
 *
 *   read the Deployment (gone: nothing to do) -> refuse an empty selector -> claim its
 *   ReplicaSets (adopt matching orphans, release those that stopped matching) -> being deleted:
 *   status only -> record pause/resume in Progressing -> paused or a scaling event: scale
 *   (proportionally) and write status -> otherwise one step of the strategy (RollingUpdate or
 *   Recreate) and the rollout status.
 */
import { matchesLabels, selectorFromLabelSelector } from '../../../api/selectors.js';
import type { Deployment, ReplicaSet } from '../../../api/types.js';
import { CONTROLLER_INDEX, orphanKey } from '../replicaset/indexes.js';
import { adoptPatch, claimObjects, newControllerRef, releasePatch } from '../replicaset/owners.js';
import { DEPLOYMENT_API_VERSION, DEPLOYMENT_KIND, DeploymentOperations, type DeploymentSyncDeps } from './operations.js';
import { rolloutRecreate, type PodMap } from './recreate.js';
import { rolloutRolling } from './rolling.js';

export type { DeploymentControl, DeploymentSyncDeps } from './operations.js';

/** Runs syncDeployment for keys handed to it by the work queue. */
export class DeploymentSyncer {
  readonly ops: DeploymentOperations;

  constructor(private readonly deps: DeploymentSyncDeps) {
    this.ops = new DeploymentOperations(deps);
  }

  /** Reconciles the Deployment "ns/name"; rejects (for a rate-limited retry) when a step failed. */
  async sync(key: string): Promise<void> {
    const cached = this.deps.deployments.get(key);
    if (!cached) return;
    // The cache's object is shared: every step works on (and writes) this copy.
    const d = structuredClone(cached);
    const sel = d.spec.selector;
    if (sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
      this.deps.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        (d.status ??= {}).observedGeneration = d.metadata.generation ?? 0;
        await this.ops.writeStatus(d);
      }
      return;
    }
    const rsList = await this.replicaSetsFor(d);
    if (d.metadata.deletionTimestamp) return this.ops.syncStatusOnly(d, rsList);
    await this.ops.checkPausedConditions(d);
    if (d.spec.paused) return this.ops.sync(d, rsList);
    if (await this.ops.isScalingEvent(d, rsList)) return this.ops.sync(d, rsList);
    if (d.spec.strategy?.type === 'Recreate') return rolloutRecreate(this.ops, d, rsList, this.podMapFor(d, rsList));
    return rolloutRolling(this.ops, d, rsList);
  }

  /** getReplicaSetsForDeployment: the ReplicaSets it controls after adoption and release. */
  private async replicaSetsFor(d: Deployment): Promise<ReplicaSet[]> {
    const { replicaSets, control } = this.deps;
    let selector;
    try {
      selector = selectorFromLabelSelector(d.spec.selector);
    } catch (err) {
      throw new Error(`Deployment ${d.metadata.namespace}/${d.metadata.name} has an invalid label selector: ${(err as Error).message}`, { cause: err });
    }
    const ns = d.metadata.namespace ?? '';
    const name = d.metadata.name ?? '';
    const candidates = [...replicaSets.byIndex(CONTROLLER_INDEX, d.metadata.uid ?? ''), ...replicaSets.byIndex(CONTROLLER_INDEX, orphanKey(ns))];
    const ref = newControllerRef(d, DEPLOYMENT_API_VERSION, DEPLOYMENT_KIND);
    const { claimed, errors } = await claimObjects(d, selector, candidates, {
      canAdopt: async () => {
        const live = await control.getDeployment(ns, name);
        if (!live || live.metadata.uid !== d.metadata.uid) throw new Error(`original Deployment ${ns}/${name} is gone: got uid ${live?.metadata.uid ?? '<none>'}, wanted ${d.metadata.uid}`);
        if (live.metadata.deletionTimestamp) throw new Error(`Deployment ${ns}/${name} has just been deleted at ${live.metadata.deletionTimestamp}`);
      },
      adopt: (rs) => control.patchReplicaSet(ns, rs.metadata.name ?? '', adoptPatch(ref, rs.metadata.uid ?? '')),
      release: (rs) => control.patchReplicaSet(ns, rs.metadata.name ?? '', releasePatch(d.metadata.uid ?? '', rs.metadata.uid ?? '')),
    });
    if (errors.length) throw new Error(`Cannot claim ReplicaSets for Deployment ${ns}/${name}: ${errors.map((e) => e.message).join('; ')}`, { cause: errors[0] });
    return claimed;
  }

  /** getPodMapForDeployment: its selected pods grouped by the ReplicaSet that controls them. */
  private podMapFor(d: Deployment, rsList: readonly ReplicaSet[]): PodMap {
    const selector = selectorFromLabelSelector(d.spec.selector);
    const map: PodMap = new Map();
    for (const rs of rsList) {
      const uid = rs.metadata.uid ?? '';
      map.set(
        uid,
        this.deps.pods.byIndex(CONTROLLER_INDEX, uid).filter((p) => matchesLabels(selector, p.metadata.labels)),
      );
    }
    return map;
  }
}
