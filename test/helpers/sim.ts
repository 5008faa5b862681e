// Start the simulated EKS-A world in-process for a test: the API server plus the same workdir
// `node sim/cli.js up` lays out (cluster kubeconfigs and specs, .sim/ journal, kube cache and the
// offline release manifest); with `realEtcd`, also the real etcd world (a real etcd member per etcd
// Machine, one sshd, the node files of each OS; sim/etcd/README.md) and the variables that point at it.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  clusterPaths,
  startEtcdWorld,
  resolveScenarioPath,
  simEnv,
  simPaths,
  startSimServer,
  writeClusterFiles,
  type EtcdWorld,
  type Fault,
  type Scenario,
  type SimEnv,
  type SimServer,
} from '../../sim/index.js';
import { readJournal } from './run-bin.js';

export interface StartSimOptions {
  /** A scenario name from sim/scenarios (`healthy`, `unready-paused`, …) or a path to a scenario YAML. */
  scenario?: string;
  /** Extra generated workload clusters `w-0001`… */
  workloads?: number;
  /** Replaces the scenario's `faults:` list. */
  faults?: Fault[];
  /** Seeds uids and fake secret values (random by default). */
  seed?: string;
  /** Keep the workdir after close() (for debugging). */
  keep?: boolean;
  /** Start real etcd members and sshd (needs root, etcd, etcdctl, sshd, sudo; fails without them). */
  realEtcd?: boolean;
}

export interface Sim {
  /** A fresh temp directory laid out like `up` does; use it as the cwd of the product. */
  workdir: string;
  /**
   * process.env plus KUBECONFIG, PATH (sim/bin first), KUBECACHEDIR, EKSA_SIM_*, EKSA_SAFE_UPGRADE_RELEASE_MANIFEST;
   * with realEtcd also EKSA_SAFE_UPGRADE_SSH_PORT, _SSH_KNOWN_HOSTS, _ETCD_REMOTE_ROOT, _ETCD_ENDPOINT.
   */
  env: Record<string, string> & SimEnv;
  /** The management cluster's kubeconfig. */
  kubeconfig: string;
  url: string;
  server: SimServer;
  scenario: Scenario;
  /** The real etcd world, with realEtcd. */
  etcd: EtcdWorld | undefined;
  /** `<workdir>/<name>/<name>-eks-a-cluster.yaml`; the management cluster's by default. */
  specFile(name?: string): string;
  /** `<workdir>/<name>/<name>-eks-a-cluster.kubeconfig`; the management cluster's by default. */
  kubeconfigOf(name?: string): string;
  /** Every journal line so far (API-server writes and fake tools), parsed. */
  journal(): Array<Record<string, any>>;
  close(): Promise<void>;
}

export async function startSim(options: StartSimOptions = {}): Promise<Sim> {
  const { scenario = 'healthy', workloads = 0, faults, seed, keep = false, realEtcd = false } = options;
  const workdir = mkdtempSync(path.join(os.tmpdir(), 'eksa-sim-'));
  const paths = simPaths(workdir);
  mkdirSync(paths.dir, { recursive: true });
  const scenarioFile = resolveScenarioPath(scenario);
  const server = await startSimServer({ scenario: scenarioFile, workloads, seed, journalFile: paths.journal });
  if (faults) server.setFaults(faults);
  writeClusterFiles(workdir, server.scenario, server.url);
  const management = server.scenario.management;
  let etcd: EtcdWorld | undefined;
  if (realEtcd) {
    try {
      etcd = await startEtcdWorld({ workdir, scenario: server.scenario, journalFile: paths.journal });
      // The management cluster's objects live in its real etcd, as kube-apiserver keeps them.
      await etcd.mirrorStore(server.store, management);
    } catch (error) {
      await etcd?.stop();
      await server.close();
      if (!keep) rmSync(workdir, { recursive: true, force: true });
      throw error;
    }
  }
  const baseEnv = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  const env = { ...baseEnv, ...simEnv({ workdir, url: server.url, scenarioFile, management, etcd: etcd?.env }) } as Record<string, string> & SimEnv;

  return {
    workdir,
    env,
    kubeconfig: clusterPaths(workdir, management).kubeconfig,
    url: server.url,
    server,
    scenario: server.scenario,
    etcd,
    specFile: (name = management) => clusterPaths(workdir, name).spec,
    kubeconfigOf: (name = management) => clusterPaths(workdir, name).kubeconfig,
    journal: () => readJournal(paths.journal),
    async close() {
      try {
        await etcd?.stop();
      } finally {
        await server.close();
        if (!keep) rmSync(workdir, { recursive: true, force: true });
      }
    },
  };
}
