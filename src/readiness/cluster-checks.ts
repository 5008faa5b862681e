import { EKSA_PAUSED_ANNOTATION, isEksaPaused } from '../kube/pause.js';
import type { ClusterObjects, KubeObject } from '../kube/types.js';
import {
  conditionProblem,
  describeCondition,
  describeFailure,
  describeGenerationLag,
  describePhase,
  failureOf,
  findCondition,
  generationLag,
  isTrue,
  shapeOf,
  statusField,
} from './conditions.js';
import { missingRef, objectRef, reason, type Reason } from './reason.js';

/** CAPI's pause annotation: its presence counts, whatever the value (CAPI `annotations.HasPaused`). */
export const CAPI_PAUSED_ANNOTATION = 'cluster.x-k8s.io/paused';

export interface PauseState {
  readonly eksa: boolean;
  readonly capi: boolean;
}

/** The EKS-A Cluster's own verdict: Ready, failure, and whether its status describes the current spec. */
export function eksaClusterReasons(eksa: KubeObject): Reason[] {
  const ref = objectRef(eksa);
  const out: Reason[] = [];
  const ready = findCondition(eksa, 'Ready');
  if (!isTrue(ready)) out.push(reason('eksa-not-ready', ref, describeCondition('Ready', ready)));
  const failure = failureOf(eksa);
  if (failure) out.push(reason('failure-message', ref, describeFailure(failure)));
  // A Ready=True written for an older generation says nothing about the spec now applied.
  const lag = generationLag(eksa);
  if (lag) out.push(reason('generation-behind', ref, `${describeGenerationLag(lag)}: the latest spec is not reconciled yet`));
  return out;
}

/**
 * Both pauses count. eksctl's upgrade preflight checks only the EKS-A annotation (aws/eks-anywhere
 * `pkg/validations/cluster.go` `ValidatePauseAnnotation`); a CAPI-only pause is refused here too, on purpose:
 * `clusterctl move` refuses paused Clusters (cluster-api `cmd/clusterctl/client/cluster/mover.go`
 * `checkClustersNotPaused`), so such a cluster cannot be backed up.
 */
export function pauseState(c: ClusterObjects): PauseState {
  const capi = c.capi;
  return {
    eksa: isEksaPaused(c.eksa),
    capi:
      capi !== undefined &&
      (capi.spec?.paused === true || Object.hasOwn(capi.metadata.annotations ?? {}, CAPI_PAUSED_ANNOTATION)),
  };
}

/** One `paused` reason naming every pause found, so the operator knows which one to lift. */
export function pausedReason(c: ClusterObjects, state: PauseState): Reason | undefined {
  const capi = c.capi;
  const capiHow =
    state.capi && capi
      ? [
          capi.spec?.paused === true ? 'spec.paused=true' : undefined,
          Object.hasOwn(capi.metadata.annotations ?? {}, CAPI_PAUSED_ANNOTATION) ? `annotation ${CAPI_PAUSED_ANNOTATION}` : undefined,
        ]
          .filter(Boolean)
          .join(' and ')
      : undefined;
  if (state.eksa) {
    const eksaHow = `annotation ${EKSA_PAUSED_ANNOTATION}=true`;
    const detail = capiHow && capi ? `${eksaHow}; ${objectRef(capi)} ${capiHow}` : eksaHow;
    return reason('paused', objectRef(c.eksa), detail);
  }
  return capiHow && capi ? reason('paused', objectRef(capi), capiHow) : undefined;
}

/**
 * The CAPI Cluster: present, not failed, reconciled, infrastructure provisioned and control plane up.
 * These are also what `clusterctl move --to-directory` checks before it will back a cluster up.
 */
export function capiClusterReasons(c: ClusterObjects, namespace: string): Reason[] {
  const capi = c.capi;
  if (!capi) {
    return [reason('capi-cluster-missing', missingRef('CAPI Cluster', namespace, c.name), 'not found (EKS-A has not created it, or it was deleted)')];
  }
  const ref = objectRef(capi);
  const out: Reason[] = [];
  const failure = failureOf(capi);
  if (failure) out.push(reason('failure-message', ref, describeFailure(failure)));
  const lag = generationLag(capi);
  if (lag) out.push(reason('generation-behind', ref, describeGenerationLag(lag)));

  const provisioning: string[] = [];
  const controlPlane: string[] = [];
  const phase = statusField(capi, 'phase');
  if (phase !== 'Provisioned') provisioning.push(describePhase(phase));
  if (shapeOf(capi) === 'v1beta2') {
    if (statusField(capi, 'initialization', 'infrastructureProvisioned') !== true) {
      provisioning.push('status.initialization.infrastructureProvisioned is not true');
    }
    if (statusField(capi, 'initialization', 'controlPlaneInitialized') !== true) {
      controlPlane.push('status.initialization.controlPlaneInitialized is not true');
    }
    conditionProblem(capi, 'ControlPlaneInitialized', controlPlane);
    conditionProblem(capi, 'ControlPlaneAvailable', controlPlane);
  } else {
    if (statusField(capi, 'infrastructureReady') !== true) provisioning.push('status.infrastructureReady is not true');
    if (statusField(capi, 'controlPlaneReady') !== true) controlPlane.push('status.controlPlaneReady is not true');
    conditionProblem(capi, 'ControlPlaneInitialized', controlPlane);
    conditionProblem(capi, 'ControlPlaneReady', controlPlane);
  }
  if (provisioning.length > 0) out.push(reason('capi-not-provisioned', ref, provisioning.join(', ')));
  if (controlPlane.length > 0) out.push(reason('control-plane-not-ready', ref, controlPlane.join(', ')));
  return out;
}
