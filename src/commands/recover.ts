import { existsSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { FAILED_SUFFIX, PARTIAL_SUFFIX } from '../backup/naming.js';
import { MANIFEST_FILE, parseManifest } from '../backup/manifest.js';
import { PAUSE_STATE_FILE, pauseStateOf, planPauseRestore, type PauseStateRecord } from '../backup/pause-state.js';
import { replacePrivateFile } from '../backup/private-files.js';
import { describeDrift, findInterruptedSets, pauseDrift } from '../backup-sets/interrupted.js';
import type { OutputFormat } from '../context.js';
import { printable, SafeUpgradeError, UsageError } from '../errors.js';
import type { ExitCodeName } from '../exit-codes.js';
import { CAPI_CLUSTERS, EKSA_CLUSTERS, EKSA_GROUP, groupOf } from '../kube/kinds.js';
import { hostname } from 'node:os';
import { Kubectl } from '../kubectl/kubectl.js';
import { LeaseClient } from '../lock/lease-client.js';
import { DEFAULT_LEASE_SECONDS } from '../lock/lease.js';
import { judgeLocalHolder, processesCarrying } from '../lock/local-holder.js';
import { pidAlive, releaseIfHeldBy } from '../lock/release-own.js';
import { createRunner } from '../runner/create-runner.js';
import type { CommandIo } from './io.js';

export interface RecoverOptions {
  /** The management cluster folder holding the `.partial` sets. */
  readonly dir: string;
  readonly kubeconfig: string | undefined;
  readonly requestTimeout: string;
  readonly output: OutputFormat;
  readonly verbosity: number;
  readonly journal: string | undefined;
}

/**
 * `recover --dir <mgmt>`: a run killed during its backup left `.partial` sets with the pause state they
 * recorded before the move. Put every cluster back as the oldest such record says (later runs started from
 * what the first kill left), record that in each set, and rename each `.partial` to `.failed`.
 */
export async function recover(options: RecoverOptions, io: CommandIo): Promise<ExitCodeName> {
  const dir = path.resolve(io.cwd, options.dir);
  const sets = (await findInterruptedSets(dir)).reverse();
  if (sets.length === 0) {
    // No set to put back; a run killed after its backup (during the hand-off or the confirmation) still leaves
    // its lease behind: release it when that run is gone, with everything it started.
    const kubeconfig = options.kubeconfig ?? path.join(dir, `${path.basename(dir)}-eks-a-cluster.kubeconfig`);
    const lockNote = existsSync(kubeconfig) ? await releaseGoneHolder(options, kubeconfig, io) : undefined;
    if (options.output === 'json') {
      io.stdout(JSON.stringify({ command: 'recover', dir, sets: [], actions: [], ...(lockNote ? { lock: lockNote } : {}) }, null, 2));
    } else {
      io.stdout(`Nothing to recover in ${printable(dir)}: no unfinished backup set records a pause state`);
      if (lockNote) io.stdout(printable(lockNote));
    }
    return 'Success';
  }
  const oldest = sets[0]!.record;
  const kubeconfig = options.kubeconfig ?? path.join(dir, `${oldest.managementCluster}-eks-a-cluster.kubeconfig`);
  if (sets.some((s) => s.record.managementCluster !== oldest.managementCluster)) {
    throw new UsageError(`${dir} holds unfinished sets of more than one management cluster`, { hint: 'point --dir at one management cluster folder' });
  }
  const runner = createRunner({ dryRun: false, verbosity: options.verbosity, journal: options.journal }, io);
  const kubectl = new Kubectl(runner, { kubeconfig, requestTimeout: options.requestTimeout });
  const items = await kubectl.listAll([EKSA_CLUSTERS, CAPI_CLUSTERS], 'read the pause state of every cluster now');
  const eksa = new Map(items.filter((i) => groupOf(i.apiVersion) === EKSA_GROUP).map((i) => [i.metadata.name, i]));
  const capi = new Map(items.filter((i) => groupOf(i.apiVersion) === 'cluster.x-k8s.io').map((i) => [i.metadata.name, i]));
  const current = oldest.clusters.filter((c) => eksa.has(c.cluster) || capi.has(c.cluster)).map((c) => pauseStateOf(eksa.get(c.cluster), capi.get(c.cluster), c.cluster));
  const drift = pauseDrift(oldest, current);
  for (const d of drift) io.stderr(`recorded before the backup of ${printable(sets[0]!.dir)}: ${printable(describeDrift(d))}`);

  const actions = planPauseRestore(oldest.clusters, current, (args) => kubectl.argv(args));
  for (const action of actions) {
    await runner.run(action.command, { failAs: 'BackupFailed', hint: `put the pause state of ${action.cluster} back by hand, then rerun recover` });
  }
  const done = actions.map((a) => ({ cluster: a.cluster, what: a.what, before: a.before, after: a.after }));
  const at = new Date().toISOString();
  const renamed: string[] = [];
  for (const set of sets) {
    const record: PauseStateRecord = { ...set.record, recovered: { at, actions: set === sets[0] ? done : [] } };
    await replacePrivateFile(path.join(set.dir, PAUSE_STATE_FILE), `${JSON.stringify(record, null, 2)}\n`);
    await markRecovered(set.dir, done, at);
    const failed = `${set.dir.slice(0, -PARTIAL_SUFFIX.length)}${FAILED_SUFFIX}`;
    await rename(set.dir, failed).catch((error: Error) => {
      throw new SafeUpgradeError('BackupFailed', `pause state put back, but ${set.dir} could not be renamed to ${failed}: ${error.message}`, { hint: 'rename it by hand' });
    });
    renamed.push(failed);
  }
  // The run that was killed left its lease behind: when it was a run of this machine that is gone, release it.
  const lockNote = await releaseGoneHolder(options, kubeconfig, io, runner);
  if (options.output === 'json') {
    io.stdout(JSON.stringify({ command: 'recover', dir, sets: renamed, actions: done, ...(lockNote ? { lock: lockNote } : {}) }, null, 2));
  } else {
    for (const a of done) io.stdout(`restored ${printable(a.cluster)} ${a.what}: ${a.before ? 'paused' : 'unpaused'} as recorded (was ${a.after ? 'paused' : 'unpaused'})`);
    if (done.length === 0) io.stdout('Every cluster already has the pause state recorded before the backup');
    for (const f of renamed) io.stdout(`kept as failed: ${printable(f)}`);
    if (lockNote) io.stdout(printable(lockNote));
  }
  return 'Success';
}

/**
 * Release the lease of a run of this machine that is gone, with every command it started. One whose eksctl still
 * runs (it outlives us in its own session) keeps its lease: the upgrade goes on, and a second one must not start
 * beside it. Returns what was done, for the output; never throws (a lease left behind lapses by itself).
 */
async function releaseGoneHolder(options: RecoverOptions, kubeconfig: string, io: CommandIo, given?: ReturnType<typeof createRunner>): Promise<string | undefined> {
  const runner = given ?? createRunner({ dryRun: false, verbosity: options.verbosity, journal: options.journal }, io);
  const client = new LeaseClient(runner, new Kubectl(runner, { kubeconfig, requestTimeout: options.requestTimeout }));
  const lease = await client.get('who holds the upgrade lock?').catch(() => undefined);
  const holder = lease?.spec?.holderIdentity;
  if (!holder) return undefined;
  const local = judgeLocalHolder(holder, hostname(), pidAlive, await processesCarrying(holder));
  if (local.state === 'orphaned') {
    io.stderr(printable(`the upgrade lock of ${holder} is kept: that run is gone, but the eksctl it handed off to still runs (pid ${local.survivors.join(', ')}); run recover again once it has ended`));
    return `kept the upgrade lock of ${holder}: the eksctl it handed off to still runs`;
  }
  if (local.state !== 'gone') return undefined;
  const outcome = await releaseIfHeldBy(client, { holder, leaseSeconds: DEFAULT_LEASE_SECONDS, warn: (l) => io.stderr(printable(l)), why: 'release the upgrade lock of the run that is gone' });
  return outcome.released ? `released the upgrade lock of ${holder}: that run is gone` : undefined;
}

/** The set's manifest (the failure marker) records what recover did; a missing or unreadable one is left as it is. */
async function markRecovered(dir: string, actions: ReadonlyArray<{ cluster: string; what: string; before: boolean; after: boolean }>, at: string): Promise<void> {
  const file = path.join(dir, MANIFEST_FILE);
  let manifest;
  try {
    manifest = parseManifest(await readFile(file, 'utf8'));
  } catch {
    return;
  }
  const updated = {
    ...manifest,
    state: 'failed' as const,
    error: `${manifest.error ?? 'the backup did not finish'}; pause state put back by recover at ${at}`,
    pauseRestore: [...manifest.pauseRestore, ...actions.map((a) => ({ ...a, action: `recovered: restored to ${a.before ? 'paused' : 'unpaused'}` }))],
  };
  await replacePrivateFile(file, `${JSON.stringify(updated, null, 2)}\n`);
}
