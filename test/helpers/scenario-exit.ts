/**
 * The verdict of `cluster` on a bundled scenario (sim/scenarios), what the scenario describes: a management
 * cluster that is not ready stops the run (4, NotReady); any other unready workload, a paused one included, is
 * left out of the backup (management-only, recorded) and the upgrade goes on (0). The dry run ends the same way.
 */
export function scenarioExit(name: string): number {
  if (name === 'unready-management') return 4;
  return 0;
}
