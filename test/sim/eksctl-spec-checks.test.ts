// The fake eksctl refuses what the real one refuses and accepts what it accepts, on the bundled scenarios
// whose written spec differs from the live objects (sim/README.md, `specFile:`).
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../helpers/sim.js';

const sims: Sim[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});
async function upgrade(scenario: string, cluster = 'mgmt', env: Record<string, string> = {}) {
  const s = await startSim({ scenario, seed: `spec-checks-${scenario}` });
  sims.push(s);
  const r = await execa('eksctl', ['anywhere', 'upgrade', 'cluster', '-f', `${cluster}/${cluster}-eks-a-cluster.yaml`], {
    env: { ...s.env, EKSA_SIM_EKSCTL_UPGRADE: JSON.stringify({ durationMs: 100 }), ...env }, cwd: s.workdir, reject: false, extendEnv: false, timeout: 60_000,
  });
  return { s, r };
}

describe('fake eksctl: the spec checks of the real upgrade preflight', () => {
  it('refuses removing a pinned worker version while the control plane is upgraded, before any write', async () => {
    const { s, r } = await upgrade('spec-worker-pin-removed');
    expect(r.exitCode).toBe(255);
    expect(r.stdout).toMatch(/Validation failed.*upgrade cluster worker node group kubernetes version increment.*can't simultaneously remove worker kubernetesVersion/);
    expect(r.stderr).toMatch(/^Error: failed to upgrade cluster: validations failed: spec.WorkerNodeConfiguration.kubernetesVersion: Invalid value: "1.30"/m);
    expect(s.journal().filter((e) => e.source === 'apiserver')).toEqual([]);
  });

  it('reads an unquoted kubernetesVersion: 1.30 as "1.30" and upgrades', async () => {
    const { s, r } = await upgrade('spec-unquoted-kubernetes-version');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(s.server.store.get('Cluster.anywhere.eks.amazonaws.com', 'default', 'mgmt')!.spec.kubernetesVersion).toBe('1.30');
  });

  it("replaces a stale spec eksaVersion with its own: the live cluster ends at eksctl's version", async () => {
    const { s, r } = await upgrade('spec-stale-eksa-version');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(s.server.store.get('Cluster.anywhere.eks.amazonaws.com', 'default', 'mgmt')!.spec.eksaVersion).toBe('v0.23.0');
  });

  it('refuses a +2 eksaVersion step even when the spec names the running version', async () => {
    const { r } = await upgrade('spec-stale-eksa-version-two-minors');
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toMatch(/cannot upgrade to v0.24.0 from v0.22.0: EksaVersion upgrades must have a skew of 1 minor version/);
  });

  it('upgrades a workload cluster whose EKS-A objects live in another namespace (mixed-providers w01, CloudStack)', async () => {
    // eksctl at the management cluster's own version: a workload may not go ahead of its management cluster.
    const { s, r } = await upgrade('mixed-providers', 'w01', { EKSA_SIM_EKSCTL_VERSION: 'v0.22.0' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(s.server.store.get('Cluster.anywhere.eks.amazonaws.com', 'team-a', 'w01')!.spec.kubernetesVersion).toBe('1.32');
  });
});
