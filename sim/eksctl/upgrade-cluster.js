// `eksctl anywhere upgrade cluster [name] -f SPEC …`, the management and workload workflows of
// pkg/workflows/{management,workload} as they log on stdout, ended as the scenario scripts it (see
// rollout.js). Everything it writes goes through the REST API of the server named in the kubeconfig.
import { restApi } from '../upgrade/api.js';
import { EKSA_CLUSTER } from '../upgrade/drive.js';
import {
  EksctlError, fakeEksaVersion, isSelfManaged, kubeconfigOfCluster, loadManagement, managementKubeconfigFromEnv,
  readSpecFile, serverOf, upgradeScript, validateKubeconfig,
} from './context.js';
import { readBundlesOverride } from './bundles-override.js';
import { getAndValidateClusterConfig, validateSameNamespace } from './cluster-config.js';
import { UPGRADE_CLUSTER_FLAGS, checkDuration, checkSkippedValidations, parseCommand } from './flags.js';
import { EksaLogger } from './log.js';
import { providerName } from './plan.js';
import { upgradePreflight } from './validations.js';
import { runValidations } from './validation-runner.js';
import { backupCapi, backupDirName, removeBackup, setWorkloadsPaused } from './backup.js';
import { installRelease, setManagementComponentsVersion, writeClusterConfig } from './apply.js';
import { rollout } from './rollout.js';

const FORCE_CLEANUP = 'The flag --force-cleanup has been removed. For more information on how to troubleshoot existing bootstrap clusters, please refer to the documentation:\n'
  + 'https://anywhere.eks.amazonaws.com/docs/troubleshooting/troubleshooting/#cluster-upgrade-fails-with-management-components-on-bootstrap-cluster';
const DIAGNOSTICS = 'collecting management cluster diagnostics';

/** Flags, files and kubeconfigs, checked in the order upgradecluster.go checks them. */
function resolveInputs(values, positional, env, log) {
  const { docs, cluster: spec } = readSpecFile(values.filename);
  // GetAndValidateClusterConfig: a spec the real CLI refuses stops here, before any read or write.
  const invalid = getAndValidateClusterConfig(values.filename, spec, (warning) => log.info(warning));
  if (invalid) throw new EksctlError(`the cluster config file provided is invalid: ${invalid}`);
  const name = spec.metadata.name;
  const selfManaged = isSelfManaged(spec);
  let wConfig = values['w-config'] ?? '';
  let managementKubeconfig = values.kubeconfig ?? '';
  if (!wConfig && managementKubeconfig && selfManaged) [wConfig, managementKubeconfig] = [managementKubeconfig, ''];
  const clusterKubeconfig = wConfig || kubeconfigOfCluster(name);
  try {
    validateKubeconfig(clusterKubeconfig);
  } catch (e) {
    throw new EksctlError(`common validations failed due to: ${e.message}`);
  }
  if (positional.length && positional[0] !== name) throw new EksctlError('please make sure cluster name provided in command matches with cluster name in config file');
  const management = selfManaged
    ? { name, kubeconfig: clusterKubeconfig }
    : loadManagement(managementKubeconfig || managementKubeconfigFromEnv(env, spec.spec.managementCluster.name));
  readBundlesOverride(values['bundles-override'], spec); // newClusterSpec, before the timeouts are parsed
  // newClusterSpec → readAndValidateClusterSpec → cluster.ValidateConfig, after the bundles are read.
  const namespaces = validateSameNamespace(docs, spec);
  if (namespaces) throw new EksctlError(`unable to get cluster config from file: ${namespaces}`);
  for (const flag of ['control-plane-wait-timeout', 'external-etcd-wait-timeout', 'per-machine-wait-timeout']) {
    if (values[flag] !== undefined) checkDuration(flag, values[flag]);
  }
  const skipped = checkSkippedValidations(values['skip-validations'] ?? []);
  return { docs, spec, name, selfManaged, management, skipped };
}

async function workflow(input, { env, log, cwd }) {
  const { docs, spec, name, selfManaged, management, skipped } = input;
  const server = serverOf(management.kubeconfig);
  const api = restApi(server);
  const cliVersion = fakeEksaVersion(env);
  const script = upgradeScript(env, name);
  const backupDir = backupDirName(name);
  const backup = (filterCluster) => backupCapi({
    mode: script.capiBackup, api, managementName: management.name, managementKubeconfig: management.kubeconfig, dirName: backupDir, filterCluster, cwd, env,
  });
  const diagnosed = async (step) => {
    try {
      return await step();
    } catch (e) {
      log.info(DIAGNOSTICS);
      throw e;
    }
  };

  if (selfManaged) log.info('Performing setup and validations');
  const live = await api.get(EKSA_CLUSTER, spec.metadata.namespace ?? 'default', name);
  if (!live) throw new EksctlError(`failed getting EKS-A cluster: clusters.anywhere.eks.amazonaws.com "${name}" not found`);
  const validations = upgradePreflight({
    api, spec, docs, live, managementName: management.name, managementKubeconfig: management.kubeconfig,
    selfManaged, cliVersion, skipped, provider: providerName(spec),
  });
  // The workload workflow ends without diagnostics when validations fail; the management one collects them.
  if (selfManaged) await diagnosed(() => runValidations(log, validations));
  else await runValidations(log, validations);

  let dir;
  if (selfManaged) {
    log.info('Ensuring etcd CAPI providers exist on management cluster before upgrade');
    log.info('Pausing GitOps cluster resources reconcile');
    log.info('Upgrading core components');
    await setManagementComponentsVersion(api, name, cliVersion, live.metadata.namespace);
    log.info("Backing up management cluster's resources before upgrading");
    // Best effort without a filter first, then only the management cluster (pre_cluster_upgrade.go).
    dir = await diagnosed(() => backup('').catch(() => backup(name)));
    log.v(3, 'Pausing workload clusters before upgrading management cluster');
    await setWorkloadsPaused(api, name, true);
    await installRelease(api, cliVersion, [spec.spec.kubernetesVersion]);
    log.info('Upgrading management cluster');
  } else {
    log.info("Backing up workload cluster's resources before upgrading");
    dir = await diagnosed(() => backup(name));
    log.info('Upgrading workload cluster components');
  }
  await diagnosed(() => rollout({ api, server, docs, name, cliVersion, script, log }));
  if (selfManaged) {
    log.info('Updating Git Repo with new EKS-A cluster spec');
    log.info('GitOps field not specified, update git repo skipped');
    log.info('Forcing reconcile Git repo with latest commit');
    log.info('GitOps not configured, force reconcile flux git repo skipped');
    log.info('Resuming GitOps cluster resources kustomization');
  }
  log.info('Writing cluster config file');
  writeClusterConfig(cwd, docs, cliVersion);
  log.success('Cluster upgraded!');
  if (selfManaged) {
    log.v(3, 'Resuming all workload clusters after management cluster upgrade');
    await setWorkloadsPaused(api, name, false);
  }
  log.info('Cleaning up backup resources');
  removeBackup(cwd, dir);
}

/**
 * @param {string[]} args words after `upgrade cluster`
 * @param {{ env: Record<string, string | undefined>, write: (s: string) => void, verbosity: number }} options
 */
export async function upgradeClusterCommand(args, { env, write, verbosity }) {
  const { values, positional } = parseCommand(args, UPGRADE_CLUSTER_FLAGS, { maxArgs: 1 });
  const cwd = process.cwd();
  const log = new EksaLogger({ write, verbosity, cwd });
  if (values['force-cleanup']) {
    log.fail(FORCE_CLEANUP);
    throw new EksctlError('please remove the --force-cleanup flag');
  }
  try {
    await workflow(resolveInputs(values, positional, env, log), { env, log, cwd });
  } catch (e) {
    throw new EksctlError(`failed to upgrade cluster: ${e.message}`, e instanceof EksctlError ? e.exitCode : 255);
  }
  log.removeFile();
  return 0;
}
