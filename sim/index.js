// Public entry point of the simulator for tests and scripts (types: index.d.ts).
export { startSimServer } from './server.js';
export {
  loadScenario, buildScenario, readScenarioDefinition, normalizeDefinition, resolveScenarioPath,
  generateWorkloads, specDocuments, specYaml, SCENARIO_DIR, SIM_DIR,
} from './scenario.js';
export {
  SIM_BIN, simPaths, clusterPaths, kubeconfigYaml, writeClusterFiles, simEnv, formatExports, shellQuote,
} from './workdir.js';
export { ObjectStore } from './store.js';
export { KINDS, kindFor } from './kinds.js';
export { eksctlMain, EKSCTL_VERSION } from './eksctl.js';
export { bundleManifestUrl, bundleNumberFor, eksaReleaseName, RELEASE_MANIFEST_URL } from './generate/releases.js';
