// Public entry point of the simulator for tests and scripts (types: index.d.ts).
export { startSimServer } from './server.js';
export {
  loadScenario, buildScenario, readScenarioDefinition, normalizeDefinition, resolveScenarioPath,
  generateWorkloads, specDocuments, specYaml, specFileText, SCENARIO_DIR, SIM_DIR,
} from './scenario.js';
export {
  SIM_BIN, simPaths, clusterPaths, kubeconfigYaml, writeClusterFiles, simEnv, formatExports, shellQuote,
} from './workdir.js';
export { ObjectStore } from './store.js';
export { KINDS, kindFor } from './kinds.js';
export { eksctlMain, EKSCTL_VERSION } from './eksctl.js';
export { PROVIDERS } from './generate/providers.js';
export { normalizeKubernetesVersion } from './eksctl/context.js';
export { workerKubernetesVersionSkew, immutableFields } from './eksctl/validations.js';
export { bundleManifestUrl, bundleNumberFor, eksaReleaseName, RELEASE_MANIFEST_URL } from './generate/releases.js';
export { startControllers, STUCK_ANNOTATION, DEFAULT_RECONCILE_DELAY_MS } from './controllers.js';
export { releaseManifestDocuments, releaseVersions, writeReleaseManifest } from './release-manifest.js';
export { cliToolsImage } from './generate/bundles.js';
export { componentVersions, kubeVersionFull } from './generate/versions.js';
export { upgradeSteps } from './upgrade/progression.js';
export { driveUpgrade } from './upgrade/drive.js';
export { storeApi, restApi } from './upgrade/api.js';
export { UPGRADE_OUTCOMES, DEFAULT_UPGRADE_DURATION_MS } from './eksctl/config.js';
export {
  startEtcdWorld, stopEtcdWorld, etcdWorldBlocker, realEtcdBlocker, planEtcdWorld, etcdPaths, ETCD_PACKAGES, INSTALL_HINT,
} from './etcd/index.js';
