// `eksctl anywhere upgrade plan cluster|management-components` and `upgrade management-components`
// (cmd/eksctl-anywhere/cmd/upgradeplan*.go, upgrademanagementcomponents.go).
import { restApi } from '../upgrade/api.js';
import { EKSA_CLUSTER } from '../upgrade/drive.js';
import {
  EksctlError, fakeEksaVersion, isSelfManaged, kubeconfigOfCluster, loadManagement, managementKubeconfigFromEnv,
  readSpecFile, serverOf, validateKubeconfig,
} from './context.js';
import { readBundlesOverride } from './bundles-override.js';
import { UPGRADE_MANAGEMENT_COMPONENTS_FLAGS, UPGRADE_PLAN_FLAGS, parseCommand } from './flags.js';
import { EksaLogger } from './log.js';
import { providerName, runPlan } from './plan.js';
import { managementComponentsPreflight, runValidations } from './validation-runner.js';
import { installRelease, setManagementComponentsVersion } from './apply.js';

/** Runs `body` with the command's logger; the log file goes only on success, as PersistentPostRun does. */
async function withLogger({ write, verbosity }, wrap, body) {
  const log = new EksaLogger({ write, verbosity });
  try {
    await body(log);
  } catch (e) {
    throw new EksctlError(wrap(e.message), e instanceof EksctlError ? e.exitCode : undefined);
  }
  log.removeFile();
  return 0;
}

/** @param {'cluster' | 'management-components'} what */
export async function upgradePlanCommand(what, args, { env, write, verbosity }) {
  const { values } = parseCommand(args, UPGRADE_PLAN_FLAGS, { required: ['filename'] });
  return withLogger({ write, verbosity }, (m) => `failed to display upgrade plan: ${m}`, async (log) => {
    let spec;
    let kubeconfig;
    try {
      spec = readSpecFile(values.filename).cluster;
      // commonValidations: for a self-managed cluster --kubeconfig names its own kubeconfig.
      kubeconfig = (isSelfManaged(spec) && values.kubeconfig) || kubeconfigOfCluster(spec.metadata.name);
      validateKubeconfig(kubeconfig);
    } catch (e) {
      throw new EksctlError(`common validations failed due to: ${e.message}`);
    }
    const management = isSelfManaged(spec)
      ? { kubeconfig }
      : loadManagement(values.kubeconfig || managementKubeconfigFromEnv(env, spec.spec.managementCluster.name));
    readBundlesOverride(values['bundles-override'], spec); // newClusterSpec, after commonValidations
    const api = restApi(serverOf(management.kubeconfig));
    await runPlan({ api, spec, cliVersion: fakeEksaVersion(env), what, log, output: values.output ?? 'text' });
  });
}

export async function upgradeManagementComponentsCommand(args, { env, write, verbosity }) {
  const { values } = parseCommand(args, UPGRADE_MANAGEMENT_COMPONENTS_FLAGS, { maxArgs: 1 });
  return withLogger({ write, verbosity }, (m) => m, async (log) => {
    let spec;
    try {
      spec = readSpecFile(values.filename).cluster;
    } catch (e) {
      throw new EksctlError(`unable to get cluster config from file: ${e.message}`);
    }
    readBundlesOverride(values['bundles-override'], spec); // the same newClusterSpec
    const name = spec.metadata.name;
    if (!isSelfManaged(spec)) throw new EksctlError(`cluster ${name} doesn't contain management components to be upgraded`);
    // No --kubeconfig here: always <name>/<name>-eks-a-cluster.kubeconfig.
    const kubeconfig = kubeconfigOfCluster(name);
    validateKubeconfig(kubeconfig);
    const api = restApi(serverOf(kubeconfig));
    const cliVersion = fakeEksaVersion(env);
    log.info('Performing setup and validations');
    const live = await api.get(EKSA_CLUSTER, spec.metadata.namespace ?? 'default', name);
    if (!live) throw new EksctlError(`failed getting EKS-A cluster: clusters.anywhere.eks.amazonaws.com "${name}" not found`);
    const skipped = new Set(values['skip-validations'] ?? []);
    await runValidations(log, managementComponentsPreflight({ api, spec, live, cliVersion, skipped, provider: providerName(spec) }));
    log.info('Upgrading core components');
    await setManagementComponentsVersion(api, name, cliVersion, live.metadata.namespace);
    await installRelease(api, cliVersion, [live.spec.kubernetesVersion]);
    log.success('Management components upgraded!');
  });
}
