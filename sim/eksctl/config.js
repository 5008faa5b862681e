// The scenario's `eksctl:` block: how the fake `eksctl anywhere upgrade cluster` ends. Checked key by key,
// so a typo in a scenario cannot silently turn a failure into a success.

export const UPGRADE_OUTCOMES = ['succeed', 'succeed-async', 'fail', 'hang', 'exit-early-not-ready'];
export const DEFAULT_UPGRADE_DURATION_MS = 500;
/** What the real CLI exits with on any error: main.go calls os.Exit(-1). */
export const EKSCTL_ERROR_EXIT = 255;

const UPGRADE_KEYS = {
  outcome: (v) => UPGRADE_OUTCOMES.includes(v) || `must be one of ${UPGRADE_OUTCOMES.join(', ')}`,
  durationMs: (v) => (Number.isInteger(v) && v >= 0) || 'must be a whole number >= 0',
  failMessage: (v) => (typeof v === 'string' && v !== '') || 'must be a non-empty string',
  exitCode: (v) => (Number.isInteger(v) && v >= 0 && v <= 255) || 'must be a whole number 0-255',
  capiBackup: (v) => ['simulated', 'clusterctl'].includes(v) || 'must be simulated or clusterctl',
};

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * @param {unknown} block the `eksctl:` value of a scenario (undefined = defaults)
 * @param {string} where for error messages
 * @returns {{ upgrade: { outcome: string, durationMs: number, capiBackup: string, failMessage?: string, exitCode?: number, clusters?: Record<string, object> } }}
 */
export function normalizeEksctlBlock(block, where = 'scenario') {
  const raw = block ?? {};
  if (!isObject(raw)) throw new Error(`${where}: eksctl must be a mapping`);
  const unknown = Object.keys(raw).filter((k) => k !== 'upgrade');
  if (unknown.length) throw new Error(`${where}: unknown key(s) eksctl.${unknown.join(', eksctl.')} (known: upgrade)`);
  const upgrade = raw.upgrade ?? {};
  if (!isObject(upgrade)) throw new Error(`${where}: eksctl.upgrade must be a mapping`);
  const { clusters, ...own } = upgrade;
  checkUpgradeKeys(own, 'eksctl.upgrade', where);
  if (clusters !== undefined) {
    if (!isObject(clusters)) throw new Error(`${where}: eksctl.upgrade.clusters must be a mapping of cluster name to outcome keys`);
    for (const [name, keys] of Object.entries(clusters)) {
      if (!isObject(keys)) throw new Error(`${where}: eksctl.upgrade.clusters.${name} must be a mapping`);
      if ('capiBackup' in keys) throw new Error(`${where}: eksctl.upgrade.clusters.${name}.capiBackup is set for the whole scenario only`);
      checkUpgradeKeys(keys, `eksctl.upgrade.clusters.${name}`, where);
    }
  }
  return { upgrade: { outcome: 'succeed', durationMs: DEFAULT_UPGRADE_DURATION_MS, capiBackup: 'simulated', ...own, ...(clusters ? { clusters } : {}) } };
}

function checkUpgradeKeys(block, prefix, where) {
  for (const [key, value] of Object.entries(block)) {
    const check = UPGRADE_KEYS[key];
    if (!check) throw new Error(`${where}: unknown key ${prefix}.${key} (known: ${Object.keys(UPGRADE_KEYS).join(', ')}${prefix === 'eksctl.upgrade' ? ', clusters' : ''})`);
    const verdict = check(value);
    if (verdict !== true) throw new Error(`${where}: ${prefix}.${key} ${verdict}`);
  }
}

/**
 * The script of one cluster's upgrade: the scenario-wide keys, with `clusters.<name>` on top (a fleet
 * scenario makes one chosen cluster fail, hang or never confirm, and gives each its own duration).
 */
export function scriptFor(upgrade, clusterName) {
  const { clusters, ...own } = upgrade;
  return { ...own, ...(clusters?.[clusterName] ?? {}) };
}
