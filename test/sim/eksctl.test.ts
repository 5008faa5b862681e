// The fake eksctl on the simulator's PATH.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../helpers/sim.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startSim({ scenario: 'unready-paused' });
});
afterAll(async () => {
  await sim.close();
});

const eksctl = (args: string[], env: Record<string, string | undefined> = {}) =>
  execa('eksctl', args, { env: { ...sim.env, ...env }, cwd: sim.workdir, reject: false, extendEnv: false });

describe('fake eksctl', () => {
  it('is the one on the simulator PATH', async () => {
    const r = await execa('sh', ['-c', 'command -v eksctl'], { env: sim.env, extendEnv: false });
    expect(r.stdout).toMatch(/\/sim\/bin\/eksctl$/);
  });

  it('prints the version like the real one, from the scenario upgradeTo (extends followed)', async () => {
    const r = await eksctl(['anywhere', 'version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe([
      'Version: v0.23.0',
      'Release Manifest URL: https://anywhere-assets.eks.amazonaws.com/releases/eks-a/manifest.yaml',
      'Bundle Manifest URL: https://anywhere-assets.eks.amazonaws.com/releases/bundles/230/manifest.yaml',
    ].join('\n'));
    expect(sim.journal().at(-1)).toMatchObject({ source: 'eksctl', argv: ['eksctl', 'anywhere', 'version'], cwd: sim.workdir });
  });

  it('takes EKSA_SIM_EKSCTL_VERSION over the scenario and ignores -v', async () => {
    const r = await eksctl(['anywhere', 'version', '-v', '6'], { EKSA_SIM_EKSCTL_VERSION: 'v0.24.2' });
    expect(r.stdout.split('\n')[0]).toBe('Version: v0.24.2');
    expect(r.stdout).toContain('/releases/bundles/242/manifest.yaml');
  });

  it('prints a plain eksctl version', async () => {
    const r = await eksctl(['version']);
    expect([r.exitCode, r.stdout]).toEqual([0, '0.199.0']);
  });

  it('fails loudly on anything it does not simulate, and still journals it', async () => {
    const r = await eksctl(['anywhere', 'create', 'cluster', '-f', 'mgmt/mgmt-eks-a-cluster.yaml']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('Error: fake eksctl: unsupported command: eksctl anywhere create cluster -f mgmt/mgmt-eks-a-cluster.yaml');
    expect(sim.journal().at(-1)).toMatchObject({ source: 'eksctl', argv: ['eksctl', 'anywhere', 'create', 'cluster', '-f', 'mgmt/mgmt-eks-a-cluster.yaml'] });
  });

  it('reads -v/--verbosity wherever it is, and EKSA_SIM_EKSCTL_UPGRADE is checked like the scenario block', async () => {
    const r = await eksctl(['anywhere', 'upgrade', 'cluster', '-f', 'mgmt/mgmt-eks-a-cluster.yaml', '--verbosity=9'], { EKSA_SIM_EKSCTL_UPGRADE: '{"outcome":"explode"}' });
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toBe('Error: failed to upgrade cluster: EKSA_SIM_EKSCTL_UPGRADE: eksctl.upgrade.outcome must be one of succeed, succeed-async, fail, hang, exit-early-not-ready');
  });

  it('fails when it cannot know its version', async () => {
    const r = await eksctl(['anywhere', 'version'], { EKSA_SIM_SCENARIO: undefined });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('set EKSA_SIM_SCENARIO or EKSA_SIM_EKSCTL_VERSION');
  });
});
