/**
 * The verdict of `cluster` on a bundled scenario (sim/scenarios), what the scenario describes: a management
 * cluster that is not ready stops the run (4, NotReady); any other unready workload, a paused one included, is
 * left out of the backup (management-only, recorded) and the upgrade goes on (0). The dry run ends the same way.
 */
export function scenarioExit(name: string): number {
  if (name === 'unready-management') return 4;
  // eksctl replaces the spec's stale eksaVersion with its own v0.24.0: two EKS-A minors at once, refused up front (5).
  if (name === 'spec-stale-eksa-version-two-minors') return 5;
  // A pinned worker version removed while the control plane is upgraded: EKS-A refuses it, so do we, up front (5).
  if (name === 'spec-worker-pin-removed') return 5;
  return 0;
}
