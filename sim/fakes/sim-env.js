// What the fakes read from the simulated world: the journal file and the `clusterctl:` block of the scenario.

import fs from 'node:fs';
import { readScenarioDefinition, resolveScenarioPath } from '../scenario.js';
import { DEFAULT_CLUSTERCTL_VERSION } from './clusterctl-version.js';

/** Appends one NDJSON line; a single appendFileSync write, so concurrent fakes do not interleave. */
export function appendJournal(env, record) {
  if (!env.EKSA_SIM_JOURNAL) return;
  fs.appendFileSync(env.EKSA_SIM_JOURNAL, `${JSON.stringify({ ...record, time: new Date().toISOString() })}\n`);
}

const KEYS = {
  version: 'string',
  failAfterPause: 'boolean',
  failAfterFiles: 'number',
  failWhenUnfiltered: 'boolean',
  missingImage: 'boolean',
};

/**
 * The scenario's `clusterctl:` block (EKSA_SIM_SCENARIO: a scenario name or a YAML path; `extends:` is
 * followed, a child's block replaces its parent's), checked key by key: a typo in a scenario must not
 * silently turn a fault off.
 * @returns {{ version?: string, failAfterPause?: boolean, failAfterFiles?: number, failWhenUnfiltered?: boolean, missingImage?: boolean }}
 */
export function clusterctlScenario(env) {
  if (!env.EKSA_SIM_SCENARIO) return {};
  const file = resolveScenarioPath(env.EKSA_SIM_SCENARIO);
  const block = readScenarioDefinition(file).clusterctl ?? {};
  if (typeof block !== 'object' || Array.isArray(block)) {
    throw new Error(`scenario ${file}: clusterctl must be a mapping`);
  }
  for (const [key, value] of Object.entries(block)) {
    if (!(key in KEYS)) throw new Error(`scenario ${file}: unknown key clusterctl.${key} (known: ${Object.keys(KEYS).join(', ')})`);
    if (typeof value !== KEYS[key]) throw new Error(`scenario ${file}: clusterctl.${key} must be a ${KEYS[key]}`);
  }
  if (block.failAfterFiles !== undefined && !(Number.isInteger(block.failAfterFiles) && block.failAfterFiles >= 0)) {
    throw new Error(`scenario ${file}: clusterctl.failAfterFiles must be a whole number >= 0`);
  }
  return block;
}

/** EKSA_SIM_CLUSTERCTL_VERSION wins over the scenario, which wins over the version EKS-A builds today. */
export function clusterctlVersion(env, scenario) {
  return env.EKSA_SIM_CLUSTERCTL_VERSION || scenario.version || DEFAULT_CLUSTERCTL_VERSION;
}
