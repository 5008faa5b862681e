// Which behaviour of EKS-A's clusterctl (cli-tools image) a given version has.
// Sources: cluster-api mover.go at v1.10.0 / v1.12.0 / v1.13.2 and the EKS-A build patches
// (see the reference notes on clusterctl move --to-directory).

export const DEFAULT_CLUSTERCTL_VERSION = 'v1.13.2';

/** @param {string} version e.g. `v1.13.2` or `1.10.0` */
export function parseVersion(version) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) throw new Error(`fake clusterctl: cannot parse version ${JSON.stringify(version)} (expected vMAJOR.MINOR.PATCH)`);
  return { gitVersion: `v${m[1]}.${m[2]}.${m[3]}`, major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

function atLeast(v, minor, patch = 0) {
  if (v.major !== 1) return v.major > 1;
  return v.minor > minor || (v.minor === minor && v.patch >= patch);
}

/**
 * @param {string} version
 * @returns {{
 *   gitVersion: string, major: number, minor: number,
 *   refusesPaused: boolean,
 *   contract: 'v1beta2' | 'v1beta1',
 *   nodeRefCheck: 'never' | 'non-etcd-machines',
 * }}
 */
export function behaviourOf(version) {
  const v = parseVersion(version);
  return {
    gitVersion: v.gitVersion,
    major: v.major,
    minor: v.minor,
    // v1.12.0 (cluster-api#12786): to-directory refuses paused Clusters instead of unpausing them afterwards.
    refusesPaused: atLeast(v, 12),
    // v1.11 moved clusterctl's typed client to the v1beta2 API (status.initialization.*).
    contract: atLeast(v, 11) ? 'v1beta2' : 'v1beta1',
    // EKS-A's etcd patch exempts etcd Machines from the nodeRef check; since the v1.11.1 rebase the patched
    // condition can never be true, so the check never fires.
    nodeRefCheck: atLeast(v, 11, 1) ? 'never' : 'non-etcd-machines',
  };
}

/** The text of `clusterctl version` (Go's %#v of version.Info). */
export function versionInfo(version) {
  const v = parseVersion(version);
  return {
    major: String(v.major),
    minor: String(v.minor),
    gitVersion: v.gitVersion,
    gitCommit: 'eksa-sim',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.24.6',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function versionText(version) {
  const i = versionInfo(version);
  return (
    `clusterctl version: &version.Info{Major:"${i.major}", Minor:"${i.minor}", GitVersion:"${i.gitVersion}", ` +
    `GitCommit:"${i.gitCommit}", GitTreeState:"${i.gitTreeState}", BuildDate:"${i.buildDate}", ` +
    `GoVersion:"${i.goVersion}", Compiler:"${i.compiler}", Platform:"${i.platform}"}`
  );
}
