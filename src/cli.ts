import { createRequire } from 'node:module';
import yargs, { type Argv } from 'yargs';
import type { CommandIo } from './commands/io.js';
import type { GateOptions, OutputFormat } from './context.js';
import { UsageError, isSafeUpgradeError } from './errors.js';
import type { ExitCodeName } from './exit-codes.js';
import { UPGRADE_CLUSTER_FLAGS, UPGRADE_MANAGEMENT_COMPONENTS_FLAGS, YARGS_PARSER_CONFIGURATION, eksctlFlagsFor, toYargsOptions, type EksctlFlag } from './handoff/eksctl-flags.js';
import { parseDuration } from './duration.js';
import { SHELLS, completionScript, completionWords, dropLongSingleLetters, shellOf, wantsPath, type Shell } from './completion.js';
import type { OnUnready } from './policy/scope.js';
import { parseRemoteUrl } from './offsite/remote-url.js';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

/** Flags the gate shares. No yargs defaults for values the environment may set (EKSA_SAFE_UPGRADE_*). */
function gateFlags<T>(y: Argv<T>, files: 'one' | 'many' = 'one') {
  const filename =
    files === 'one'
      ? { alias: 'f', type: 'string' as const, demandOption: 'pass -f with the EKS-A cluster spec', describe: 'EKS Anywhere cluster spec (the file eksctl anywhere upgrade cluster takes)' }
      : { alias: 'f', type: 'string' as const, describe: 'a workload cluster spec <w>/<w>-eks-a-cluster.yaml; repeatable (or --all)' };
  return y
    .option('filename', filename)
    .option('kubeconfig', { type: 'string', describe: 'management cluster kubeconfig (default: <mgmt>/<mgmt>-eks-a-cluster.kubeconfig)' })
    .option('output', { alias: 'o', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format' })
    .option('on-unready', { choices: ['fallback', 'fail'] as const, default: 'fallback' as const, describe: 'when a workload cluster is not ready: back up the management cluster only (recorded), or stop' })
    .option('request-timeout', { type: 'string', default: '30s', describe: 'timeout of every kubectl request' })
    .option('journal', { type: 'string', describe: 'also write every external command to this NDJSON file' });
}

/**
 * EKSA_SAFE_UPGRADE_<FLAG> for every option the chosen command declares, as yargs config: the command
 * line still wins, and variables meant for other commands are ignored rather than "unknown arguments".
 */
function withEnv<T>(y: Argv<T>, env: NodeJS.ProcessEnv): Argv<T> {
  // getOptions() is public at runtime but missing from the typings.
  chosen.current = y as unknown as OptionSource;
  const declared = Object.keys((y as unknown as { getOptions(): { key?: Record<string, unknown> } }).getOptions().key ?? {});
  const fromEnv: Record<string, string> = {};
  for (const key of declared) {
    const value = env[`EKSA_SAFE_UPGRADE_${key.toUpperCase().replace(/-/g, '_')}`];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  return y.config(fromEnv);
}

/** The options of the command being parsed (its builder ran last): what an unknown flag is compared with. */
const chosen: { current: OptionSource | undefined } = { current: undefined };

/** Which clusterctl runs the backup. */
function clusterctlFlags<T>(y: Argv<T>) {
  return y
    .option('clusterctl', { type: 'string', describe: 'use this local clusterctl binary instead of the EKS-A cli-tools image' })
    .option('cli-tools-image', { type: 'string', describe: 'the EKS-A cli-tools image; skips the release-manifest lookup' })
    .option('release-manifest', { type: 'string', describe: 'EKS-A release manifest URL or file (default: the public one)' })
    .option('eksa-version', { type: 'string', describe: 'EKS-A version whose bundle names the cli-tools image (default: eksctl anywhere version)' })
    .option('move-timeout', { type: 'string', default: '30m', describe: 'bound on each clusterctl move of the backup; past it the move is stopped and the backup fails' });
}

/** Everything `cluster` and `management-components` take: the gate, the backup, the lock, confirmation, and eksctl's own flags. */
function upgradeFlags<T>(y: Argv<T>, eksctlFlags: readonly EksctlFlag[], files: 'one' | 'many' = 'one') {
  return etcdFlags(clusterctlFlags(gateFlags(y, files)))
    .parserConfiguration(YARGS_PARSER_CONFIGURATION)
    .option('dry-run', { type: 'boolean', default: false, describe: 'the audit: run every read, print the plan (every write as "! cmd", in order) on stdout, change nothing' })
    .option('clean-failed', { type: 'boolean', default: false, describe: 'remove a failed backup set instead of keeping it as <name>.failed' })
    .option('plan-out', { type: 'string', describe: 'with --dry-run: also write the plan as JSON, for review and --plan' })
    .option('plan', { type: 'string', describe: 'apply this reviewed plan unchanged; refused (exit 12) when the tree, spec, tools or flags changed' })
    .option('lock-ttl', { type: 'string', default: '5m', describe: 'lease term of the upgrade lock; a lease not renewed for this long may be taken over' })
    .option('force-unlock', { type: 'boolean', default: false, describe: 'delete the upgrade lock whoever holds it, then take it (recorded)' })
    .option('confirm-timeout', { type: 'string', default: '60m', describe: 'how long to wait for the cluster to report Ready at the new generation (none with --no-timeouts)' })
    .option('confirm-interval', { type: 'string', default: '10s', describe: 'how often to poll the cluster while confirming' })
    .option('report', { type: 'string', describe: 'also write the JSON evidence record to this file' })
    .option('max-backup-age', { type: 'string', describe: 'reuse a complete, verified backup set younger than this (e.g. 2h) instead of taking a new one' })
    .option('skip-image-check', { type: 'boolean', default: false, describe: 'go on without checking the registry mirror holds every image; needs --reason, which is recorded' })
    .options(pushOptions())
    .options(toYargsOptions(eksctlFlags))
    .group(eksctlFlags.filter((f) => f.role === 'pass-through' && !f.hidden).map((f) => f.name), 'eksctl flags (handed on unchanged):');
}

/** What `backup` takes; `cluster` and `management-components` take it too. */
function toBackupOptions(argv: Record<string, unknown>) {
  const planOut = optionalString(argv.planOut);
  const planFile = optionalString(argv.plan);
  if (planOut !== undefined && !argv.dryRun) {
    throw new UsageError('--plan-out writes the plan of a dry run: add --dry-run', { hint: 'plan with --dry-run --plan-out FILE, then apply with --plan FILE' });
  }
  return {
    ...toGateOptions(argv, Boolean(argv.dryRun)),
    planOut,
    planFile,
    cleanFailed: Boolean(argv.cleanFailed),
    etcd: toEtcdOptions(argv),
    drill: Boolean(last(argv.drill)),
    etcdBinary: optionalString(argv.etcdBinary),
    clusterctl: optionalString(argv.clusterctl),
    cliToolsImage: optionalString(argv.cliToolsImage),
    releaseManifest: optionalString(argv.releaseManifest),
    eksaVersion: optionalString(argv.eksaVersion),
    moveTimeoutMs: parseDuration(String(last(argv.moveTimeout)), '--move-timeout'),
    leaseSeconds: Math.max(1, Math.round(parseDuration(String(last(argv.lockTtl)), '--lock-ttl') / 1000)),
    pushFlags: toPushFlags(argv),
  };
}

function toUpgradeOptions(command: 'cluster' | 'management-components', argv: Record<string, unknown>, args: readonly string[]) {
  const passThrough: Record<string, unknown> = {};
  for (const f of eksctlFlagsFor(command)) if (f.role !== 'builder' && argv[f.name] !== undefined) passThrough[f.name] = argv[f.name];
  const noTimeouts = argv['no-timeouts'] === true;
  return {
    ...toBackupOptions(argv),
    command,
    passThrough,
    extraArgs: ((argv['--'] as unknown[] | undefined) ?? []).map(String),
    forceUnlock: Boolean(argv.forceUnlock),
    confirmTimeoutMs: noTimeouts ? undefined : parseDuration(String(last(argv.confirmTimeout)), '--confirm-timeout'),
    confirmIntervalMs: parseDuration(String(last(argv.confirmInterval)), '--confirm-interval'),
    report: optionalString(argv.report),
    maxBackupAgeMs: optionalString(argv.maxBackupAge) === undefined ? undefined : parseDuration(String(optionalString(argv.maxBackupAge)), '--max-backup-age'),
    givenArgs: [...args],
    skipImageCheckReason: toSkipImageCheck(argv),
  };
}

/** `workloads`: `cluster`'s options for each cluster's own flow, the selection and the fleet's flags. */
function toWorkloadsOptions(argv: Record<string, unknown>, args: readonly string[]) {
  const files = argv.filename === undefined ? [] : ([] as unknown[]).concat(argv.filename).map(String).filter((f) => f !== '');
  const all = Boolean(argv.all);
  if (all && files.length > 0) throw new UsageError('pass -f or --all, not both', { hint: '--all takes every workload cluster with a spec under the admin folder' });
  if (!all && files.length === 0) throw new UsageError('name the workload clusters: -f <w>/<w>-eks-a-cluster.yaml (repeatable), or --all', { hint: 'e.g. workloads --kubeconfig mgmt/mgmt-eks-a-cluster.kubeconfig --all --dry-run' });
  const whole = (flag: string, min: number) => {
    const v = Number(last(argv[flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())]));
    if (!Number.isInteger(v) || v < min) throw new UsageError(`--${flag} ${String(v)} is not a whole number >= ${min}`, { hint: `use e.g. --${flag} ${Math.max(min, 1)}` });
    return v;
  };
  const notAfterText = optionalString(argv.notAfter);
  const notAfterMs = notAfterText === undefined ? undefined : Date.parse(notAfterText);
  if (notAfterMs !== undefined && Number.isNaN(notAfterMs)) throw new UsageError(`--not-after ${JSON.stringify(notAfterText)} is not a time`, { hint: 'use ISO 8601 with a zone, e.g. 2026-12-06T06:00:00Z' });
  const soak = String(last(argv.soak));
  return {
    cluster: toUpgradeOptions('cluster', { ...argv, filename: files[0] ?? '' }, args),
    files,
    all,
    fleet: {
      order: String(last(argv.order)) as 'given' | 'name' | 'size',
      canary: whole('canary', 0),
      waveSize: whole('wave-size', 1),
      parallel: whole('parallel', 1),
      soakMs: soak === '0' || soak === '0s' ? 0 : parseDuration(soak, '--soak'),
      onFailure: String(last(argv.onFailure)) as 'stop' | 'continue',
      notAfter: notAfterMs === undefined ? undefined : new Date(notAfterMs).toISOString(),
    },
  };
}

function toSkipImageCheck(argv: Record<string, unknown>): string | undefined {
  if (!argv.skipImageCheck) return undefined;
  const reason = optionalString(argv.reason);
  if (!reason?.trim()) {
    throw new UsageError('--skip-image-check needs --reason "…": going on without checking the registry mirror must be a recorded decision', { hint: 'add --reason "why the mirror need not be checked"' });
  }
  return reason;
}

/** The etcd snapshot flags: SSH to one member per cluster, or the recorded reason to go without. */
function etcdFlags<T>(y: Argv<T>) {
  return y
    .option('ssh-key', { type: 'string', describe: 'private key for the nodes (default: <cluster>/eks-a-id_rsa, the key EKS-A generates)' })
    .option('ssh-user', { type: 'string', describe: 'SSH user (default: users[0].name of the machine config, else the provider default)' })
    .option('ssh-port', { type: 'number', describe: 'SSH port (default 22)' })
    .option('ssh-known-hosts', { type: 'string', describe: 'known_hosts file for strict host key checking (default: accept-new, recorded in the backup set)' })
    .option('accept-changed-host-keys', { type: 'boolean', default: false, describe: 'accept a node host key that differs from the one the newest earlier backup set recorded (recorded in the manifest)' })
    .option('ssh-option', { type: 'string', describe: 'extra ssh -o option, repeatable (e.g. ProxyJump=bastion)' })
    .option('ssh-address-type', { choices: ['auto', 'ExternalIP', 'InternalIP'] as const, default: 'auto' as const, describe: 'which Machine address to SSH to (auto: ExternalIP, then InternalIP)' })
    .option('concurrency', { type: 'number', default: 4, describe: 'clusters snapshotted (and their etcd size read by the room check) at once' })
    .option('skip-etcd-backup', { type: 'boolean', default: false, describe: 'go on without etcd snapshots; needs --reason, which is recorded' })
    .option('reason', { type: 'string', describe: 'why --skip-etcd-backup or --skip-image-check (recorded in the manifest and the report)' })
    .option('drill', { type: 'boolean', default: false, describe: 'drill the new set before going on: restore every etcd snapshot into a throwaway local etcd and cross-check it (a failed drill: exit 9, set kept)' })
    .option('etcd-binary', { type: 'string', describe: 'with --drill: folder holding etcd and etcdctl (and etcdutl on etcd >= 3.5), instead of PATH' })
    .option('etcd-remote-root', { type: 'string', hidden: true, describe: 'test beds and the simulator: prefix of the node paths; {cluster} is replaced by the cluster name' })
    .option('etcd-endpoint', { type: 'string', hidden: true, describe: 'etcd client URL on the node (default: the node layout\'s own); {address} is replaced by the member\'s address' })
    .option('stacked-etcdctl', { choices: ['auto', 'host', 'crictl'] as const, hidden: true, describe: 'stacked Ubuntu/RHEL: host etcdctl or the etcd container via crictl' });
}

function toEtcdOptions(argv: Record<string, unknown>) {
  const skip = Boolean(argv.skipEtcdBackup);
  const reason = optionalString(argv.reason);
  if (skip && !reason?.trim()) {
    throw new UsageError('--skip-etcd-backup needs --reason "…": going on without an etcd snapshot must be a recorded decision', { hint: 'add --reason "why no snapshot is needed"' });
  }
  const sshOptions = argv.sshOption === undefined ? [] : ([] as unknown[]).concat(argv.sshOption).map(String);
  const concurrency = Number(argv.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency ${String(argv.concurrency)} is not a positive whole number`, { hint: 'use e.g. --concurrency 4' });
  const port = argv.sshPort === undefined ? undefined : Number(argv.sshPort);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new UsageError(`--ssh-port ${String(argv.sshPort)} is not a port`, { hint: 'use a number from 1 to 65535' });
  return {
    skipReason: skip ? reason : undefined,
    concurrency,
    flags: {
      ...(optionalString(argv.sshKey) ? { sshKey: optionalString(argv.sshKey) } : {}),
      ...(optionalString(argv.sshUser) ? { sshUser: optionalString(argv.sshUser) } : {}),
      ...(port !== undefined ? { sshPort: port } : {}),
      ...(optionalString(argv.sshKnownHosts) ? { sshKnownHosts: optionalString(argv.sshKnownHosts) } : {}),
      ...(argv.acceptChangedHostKeys === true ? { acceptChangedHostKeys: true } : {}),
      sshOptions,
      sshAddressType: argv.sshAddressType as 'auto' | 'ExternalIP' | 'InternalIP',
      ...(optionalString(argv.etcdRemoteRoot) ? { remoteRoot: optionalString(argv.etcdRemoteRoot) } : {}),
      ...(optionalString(argv.etcdEndpoint) ? { etcdEndpoint: optionalString(argv.etcdEndpoint) } : {}),
      ...(argv.stackedEtcdctl ? { stackedEtcdctl: argv.stackedEtcdctl as 'auto' | 'host' | 'crictl' } : {}),
    },
  };
}

/** Where off-site copies go and how to reach them: `backups push/pull/list/prune --remote` and `--push`. */
function remoteFlags<T>(y: Argv<T>) {
  return y
    .option('registry-ca', { type: 'string', describe: 'PEM file of a CA to trust for the registry, beside the system CAs' })
    .option('insecure-registry', { type: 'boolean', default: false, describe: 'talk plain HTTP to the registry (loopback test registries only)' })
    .option('s3-endpoint', { type: 'string', describe: 'endpoint URL of an S3-compatible store (default: AWS S3)' });
}

function remoteAccessOptions() {
  return {
    'registry-ca': { type: 'string', describe: 'PEM file of a CA to trust for the registry, beside the system CAs' },
    'insecure-registry': { type: 'boolean', default: false, describe: 'talk plain HTTP to the registry (loopback test registries only)' },
    's3-endpoint': { type: 'string', describe: 'endpoint URL of an S3-compatible store (default: AWS S3)' },
  } as const;
}

/** How a push encrypts: age recipients, or plaintext only when said so. */
function encryptionFlags<T>(y: Argv<T>) {
  return y
    .option('encrypt-to', { type: 'string', describe: 'age recipient (age1…) the pushed copy is encrypted to, repeatable' })
    .option('encrypt-to-file', { type: 'string', describe: 'file of age recipients, one per line, repeatable' })
    .option('allow-plaintext-push', { type: 'boolean', default: false, describe: 'push without encryption (the set holds every Secret and etcd snapshot)' });
}

/** `--push` and its companions, for backup, cluster, management-components and workloads (each cluster's own set). */
function pushOptions() {
  return {
    push: { type: 'string', describe: 'after the set verified, copy it to oci://HOST[:PORT]/REPO or s3://BUCKET/PREFIX before the hand-off, repeatable' },
    'push-optional': { type: 'boolean', default: false, describe: 'a failed --push is a recorded warning instead of exit 7' },
    'encrypt-to': { type: 'string', describe: 'age recipient (age1…) the pushed copy is encrypted to, repeatable' },
    'encrypt-to-file': { type: 'string', describe: 'file of age recipients, one per line, repeatable' },
    'allow-plaintext-push': { type: 'boolean', default: false, describe: 'push without encryption (the set holds every Secret and etcd snapshot)' },
    'registry-ca': { type: 'string', describe: 'PEM file of a CA to trust for the registry, beside the system CAs' },
    'insecure-registry': { type: 'boolean', default: false, describe: 'talk plain HTTP to the registry (loopback test registries only)' },
    's3-endpoint': { type: 'string', describe: 'endpoint URL of an S3-compatible store (default: AWS S3)' },
  } as const;
}

function toPushFlags(argv: Record<string, unknown>) {
  const urls = manyStrings(argv.push);
  const encryption = toEncryptionOptions(argv);
  const access = toRemoteOptions(argv);
  if (urls.length === 0) {
    const given = [encryption.encryptTo.length > 0 && '--encrypt-to', encryption.encryptToFile.length > 0 && '--encrypt-to-file', encryption.allowPlaintextPush && '--allow-plaintext-push', Boolean(last(argv.pushOptional)) && '--push-optional', access.registryCa && '--registry-ca', access.insecureRegistry && '--insecure-registry', access.s3Endpoint && '--s3-endpoint'].filter(Boolean);
    if (given.length > 0) throw new UsageError(`${given.join(', ')} without --push: nothing is pushed`, { hint: 'add --push URL, or drop them' });
    return undefined;
  }
  for (const url of urls) parseRemoteUrl(url, false);
  if (encryption.encryptTo.length + encryption.encryptToFile.length === 0 && !encryption.allowPlaintextPush) {
    throw new UsageError('--push without --encrypt-to would send every Secret and etcd snapshot of the set in plaintext', {
      hint: 'pass --encrypt-to age1… (or --encrypt-to-file FILE); or --allow-plaintext-push if the remote is as trusted as this machine',
    });
  }
  return { urls, ...encryption, optional: Boolean(last(argv.pushOptional)), access };
}

function manyStrings(value: unknown): string[] {
  return value === undefined ? [] : ([] as unknown[]).concat(value).map(String).filter((v) => v !== '');
}

function toRemoteOptions(argv: Record<string, unknown>) {
  return { registryCa: optionalString(argv.registryCa), insecureRegistry: Boolean(last(argv.insecureRegistry)), s3Endpoint: optionalString(argv.s3Endpoint) };
}

function toEncryptionOptions(argv: Record<string, unknown>) {
  return { encryptTo: manyStrings(argv.encryptTo), encryptToFile: manyStrings(argv.encryptToFile), allowPlaintextPush: Boolean(last(argv.allowPlaintextPush)) };
}

/** A flag given twice (e.g. from a wrapper script and the operator) counts once: the last one wins. */
function last(value: unknown): unknown {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function optionalString(value: unknown): string | undefined {
  const v = last(value);
  return v === undefined || v === '' ? undefined : String(v);
}

function toGateOptions(argv: Record<string, unknown>, dryRun: boolean): GateOptions {
  const timeout = String(last(argv.requestTimeout));
  if (!/^\d+(ms|s|m|h)$/.test(timeout)) {
    throw new UsageError(`--request-timeout ${JSON.stringify(timeout)} is not a duration`, { hint: 'use a duration like 30s or 2m' });
  }
  return {
    filename: String(argv.filename),
    kubeconfig: argv.kubeconfig === undefined ? undefined : String(argv.kubeconfig),
    output: argv.output as OutputFormat,
    onUnready: argv.onUnready as OnUnready,
    requestTimeout: timeout,
    verbosity: Number(argv.verbosity) || 0,
    dryRun,
    journal: argv.journal === undefined ? undefined : String(argv.journal),
  };
}

/** How a parsed command is carried out: `main` loads and runs it; a parse-only caller records it. */
export type CommandRun = <O>(load: () => Promise<(options: O, io: CommandIo) => Promise<ExitCodeName>>, options: O, io: CommandIo) => Promise<void>;

/**
 * The whole command line as one yargs parser. Handlers turn argv into typed options (validated) and
 * hand them to `run`; `parseOnly` makes a `run` that executes nothing, for tests of command lines.
 */
export function buildParser(given: readonly string[], io: CommandIo, run: CommandRun) {
  const args = normalizeArgs(given);
  chosen.current = undefined;
  return yargs([...args])
    .scriptName('eksa-safe-upgrade')
    .usage('$0 <command> [options]\n\nA safer eksctl anywhere upgrade cluster: gate the whole management tree, back it up, verify, then hand off.')
    .option('verbosity', { alias: 'v', type: 'number', describe: 'log level: 1 prints every command run ($) and stack traces' })
    .command(
      'preflight',
      'check readiness of every cluster of the management tree and the version skew; change nothing',
      (y) => withEnv(gateFlags(y)
        .option('release-manifest', { type: 'string', describe: 'EKS-A release manifest URL or file, for the bundle the registry mirror check reads (default: the public one)' })
        .option('eksa-version', { type: 'string', describe: 'EKS-A version whose bundle lists the images the mirror must hold (default: eksctl anywhere version)' })
        .option('bundles-override', { type: 'string', describe: 'a Bundles manifest to check and to read the images from, as eksctl --bundles-override' })
        .option('skip-image-check', { type: 'boolean', default: false, describe: 'do not check the registry mirror holds every image; needs --reason' })
        .option('reason', { type: 'string', describe: 'why --skip-image-check' })
        .example('$0 preflight -f mgmt/mgmt-eks-a-cluster.yaml', 'gate the management tree of mgmt').example('$0 preflight -f w01/w01-eks-a-cluster.yaml --kubeconfig mgmt/mgmt-eks-a-cluster.kubeconfig -o json', 'gate a workload cluster, JSON out'), io.env),
      async (argv) => {
        await run(async () => (await import('./commands/preflight.js')).preflight, {
          ...toGateOptions(argv, false),
          airgap: { bundlesOverride: optionalString(argv.bundlesOverride), releaseManifest: optionalString(argv.releaseManifest), eksaVersion: optionalString(argv.eksaVersion), skipImageCheckReason: toSkipImageCheck(argv) },
        }, io);
      },
    )
    .command(
      'backup',
      'back up the Cluster API and EKS-A objects of the management tree into <mgmt>/<cluster>-backup-<timestamp>, verified',
      (y) =>
        withEnv(etcdFlags(clusterctlFlags(gateFlags(y)))
          .option('dry-run', { type: 'boolean', default: false, describe: 'run every read, print every write as "! cmd", write nothing' })
          .option('clean-failed', { type: 'boolean', default: false, describe: 'remove a failed backup set instead of keeping it as <name>.failed' })
          .option('plan-out', { type: 'string', describe: 'with --dry-run: also write the plan as JSON, for review and --plan' })
          .option('plan', { type: 'string', describe: 'apply this reviewed plan unchanged; refused (exit 12) when the tree, spec, tools or flags changed' })
          .option('lock-ttl', { type: 'string', default: '5m', describe: 'lease term of the upgrade lock, which a backup takes too' })
          .options(pushOptions())
          .example('$0 backup -f mgmt/mgmt-eks-a-cluster.yaml', 'back up the whole tree (or the management cluster only, recorded, when a workload is not ready)')
          .example('$0 backup -f mgmt/mgmt-eks-a-cluster.yaml --dry-run', 'print the exact clusterctl command, write nothing'), io.env),
      async (argv) => {
        await run(async () => (await import('./commands/backup.js')).backup, toBackupOptions(argv), io);
      },
    )
    .command(
      'verify <dir>',
      'recompute every sha256 of a backup set and check its object graph again',
      (y) =>
        withEnv(y
          .positional('dir', { type: 'string', demandOption: true, describe: 'the backup folder, e.g. mgmt/mgmt-backup-2026-11-29T10_00_00' })
          .option('output', { alias: 'o', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format' })
          .example('$0 verify mgmt/mgmt-backup-2026-11-29T10_00_00', 'check a backup before relying on it'), io.env),
      async (argv) => {
        await run(async () => (await import('./commands/verify.js')).verify, { dir: String(argv.dir), output: argv.output as OutputFormat, verbosity: Number(argv.verbosity) || 0 }, io);
      },
    )
    .command(
      'drill <dir>',
      'trial-restore every etcd snapshot of a backup set into a throwaway local etcd and cross-check it against the Cluster API files',
      (y) =>
        withEnv(y
          .positional('dir', { type: 'string', demandOption: true, describe: 'the backup folder, e.g. mgmt/mgmt-backup-2026-11-29T10_00_00' })
          .option('output', { alias: 'o', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format' })
          .option('etcd-binary', { type: 'string', describe: 'folder holding etcd and etcdctl (and etcdutl on etcd >= 3.5) to drill with, instead of PATH' })
          .option('journal', { type: 'string', describe: 'append every command run to this NDJSON file' })
          .example('$0 drill mgmt/mgmt-backup-2026-11-29T10_00_00', 'prove the set restores before relying on it'), io.env),
      async (argv) => {
        await run(async () => (await import('./commands/drill.js')).drill, {
          dir: String(argv.dir),
          output: argv.output as OutputFormat,
          etcdBinary: optionalString(argv.etcdBinary),
          verbosity: Number(argv.verbosity) || 0,
          journal: optionalString(argv.journal),
        }, io);
      },
    )
    .command(
      'cluster',
      'gate, lock, back up (CAPI + etcd), verify, then run eksctl anywhere upgrade cluster and confirm the result from the cluster',
      (y) => withEnv(upgradeFlags(y, UPGRADE_CLUSTER_FLAGS)
        .example('$0 cluster -f mgmt/mgmt-eks-a-cluster.yaml --dry-run', 'the audit: every read runs, every write is printed as "! cmd", nothing changes')
        .example('$0 cluster -f mgmt/mgmt-eks-a-cluster.yaml --report upgrade-report.json', 'upgrade the management cluster, keep the evidence record')
        .example('$0 cluster -f w01/w01-eks-a-cluster.yaml --kubeconfig mgmt/mgmt-eks-a-cluster.kubeconfig --skip-validations=pod-disruption', 'upgrade a workload cluster; eksctl flags are handed on'), io.env),
      async (argv) => {
        await run(async () => (await import('./commands/cluster.js')).upgradeCluster, toUpgradeOptions('cluster', argv, args), io);
      },
    )
    .command(
      'management-components',
      'the same gate and backups, then eksctl anywhere upgrade management-components',
      (y) => withEnv(upgradeFlags(y, UPGRADE_MANAGEMENT_COMPONENTS_FLAGS)
        .example('$0 management-components -f mgmt/mgmt-eks-a-cluster.yaml', 'upgrade the management components of mgmt after a backup'), io.env),
      async (argv) => {
        await run(async () => (await import('./commands/cluster.js')).upgradeCluster, toUpgradeOptions('management-components', argv, args), io);
      },
    )
    .command(
      'workloads',
      'the workload clusters of a management tree in waves: canary first, each cluster gated, backed up, upgraded and confirmed; one lock; resumable',
      (y) => withEnv(upgradeFlags(y, UPGRADE_CLUSTER_FLAGS, 'many')
        .option('all', { type: 'boolean', default: false, describe: 'every workload cluster of the tree whose <w>/<w>-eks-a-cluster.yaml exists under the admin folder (the others listed and left out)' })
        .option('order', { choices: ['given', 'name', 'size'] as const, default: 'given' as const, describe: 'order inside the waves: as given, by name, or smallest first' })
        .option('canary', { type: 'number', default: 1, describe: 'clusters upgraded alone first (0: none)' })
        .option('wave-size', { type: 'number', default: 5, describe: 'clusters per wave after the canary' })
        .option('parallel', { type: 'number', default: 1, describe: 'at most this many clusters upgrading at once' })
        .option('soak', { type: 'string', default: '0s', describe: 'wait this long after each wave; every cluster upgraded so far must still be Ready at its end' })
        .option('on-failure', { choices: ['stop', 'continue'] as const, default: 'stop' as const, describe: 'stop: no new cluster starts after a failure (running ones finish); continue: go on' })
        .option('not-after', { type: 'string', describe: 'no wave starts after this time (ISO 8601, e.g. 2026-12-06T06:00:00Z): the maintenance window' })
        .example('$0 workloads --kubeconfig mgmt/mgmt-eks-a-cluster.kubeconfig --all --dry-run', 'the fleet plan: waves, clusters, each cluster\'s plan')
        .example('$0 workloads --kubeconfig mgmt/mgmt-eks-a-cluster.kubeconfig -f w01/w01-eks-a-cluster.yaml -f w02/w02-eks-a-cluster.yaml --parallel 2', 'w01 as the canary, then w02'), io.env),
      async (argv) => {
        await run(async () => (await import('./commands/workloads.js')).upgradeWorkloads, toWorkloadsOptions(argv, args), io);
      },
    )
    .command('backups', 'list and prune the backup sets of a management folder', (y) => y
      .command('list', 'every backup set of the management folder: cluster, scope, created, size, etcd snapshots, state, last verified', (y2) => withEnv(y2
        .option('dir', { type: 'string', describe: 'the management cluster folder (default: the working directory, or the management folders in it)' })
        .option('output', { alias: 'o', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format' })
        .option('verify', { type: 'boolean', default: false, describe: 'also recompute every sha256 and check the object graph of each complete set (exit 9 on a mismatch)' })
        .option('remote', { type: 'string', describe: 'list the sets pushed to this oci:// or s3:// location instead, from their remote manifests' })
        .options(remoteAccessOptions()), io.env),
      async (argv) => {
        const remote = optionalString(argv.remote);
        if (remote !== undefined) {
          await run(async () => (await import('./commands/backups-remote.js')).backupsListRemote, { remote, ...toRemoteOptions(argv), output: argv.output as OutputFormat, verbosity: Number(argv.verbosity) || 0 }, io);
          return;
        }
        await run(async () => (await import('./commands/backups.js')).backupsList, { dir: optionalString(argv.dir), output: argv.output as OutputFormat, verify: Boolean(argv.verify) }, io);
      })
      .command('prune', 'remove old backup sets: never the newest complete set of a cluster, nor one taken after its last upgrade', (y2) => withEnv(y2
        .option('dir', { type: 'string', describe: 'the management cluster folder (default: the working directory, or the management folders in it)' })
        .option('keep', { type: 'number', demandOption: 'pass --keep N', describe: 'sets each cluster keeps whatever their age; complete ones take the places first' })
        .option('older-than', { type: 'string', demandOption: 'pass --older-than DURATION, e.g. 30d', describe: 'only sets older than this may go: 30d, 12h, 90m, 2w' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'print what would be removed, and remove nothing' })
        .option('output', { alias: 'o', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format' })
        .option('remote', { type: 'string', describe: 'prune the sets pushed to this oci:// or s3:// location instead, by the same policy' })
        .options(remoteAccessOptions()), io.env),
      async (argv) => {
        const remote = optionalString(argv.remote);
        if (remote !== undefined) {
          await run(async () => (await import('./commands/backups-remote.js')).backupsPruneRemote, { remote, ...toRemoteOptions(argv), keep: Number(argv.keep), olderThan: String(argv.olderThan), dryRun: Boolean(argv.dryRun), output: argv.output as OutputFormat, verbosity: Number(argv.verbosity) || 0 }, io);
          return;
        }
        await run(async () => (await import('./commands/backups.js')).backupsPrune, { dir: optionalString(argv.dir), keep: Number(argv.keep), olderThan: String(argv.olderThan), dryRun: Boolean(argv.dryRun), output: argv.output as OutputFormat }, io);
      })
      .command('push <set> <url>', 'copy an existing, verified backup set to an OCI registry (oci://HOST/REPO) or S3 (s3://BUCKET/PREFIX), encrypted with age', (y2) => withEnv(remoteFlags(encryptionFlags(y2
        .positional('set', { type: 'string', demandOption: true, describe: 'the backup folder, e.g. mgmt/mgmt-backup-2026-11-29T10_00_00' })
        .positional('url', { type: 'string', demandOption: true, describe: 'oci://HOST[:PORT]/REPOSITORY or s3://BUCKET/PREFIX; the set is tagged with its name' })))
        .option('output', { alias: 'o', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format' })
        .example('$0 backups push mgmt/mgmt-backup-2026-11-29T10_00_00 oci://registry.example:5000/backups --encrypt-to age1…', 'an encrypted off-site copy of one set'), io.env),
      async (argv) => {
        await run(async () => (await import('./commands/backups-remote.js')).backupsPush, { set: String(argv.set), url: String(argv.url), ...toEncryptionOptions(argv), ...toRemoteOptions(argv), output: argv.output as OutputFormat, verbosity: Number(argv.verbosity) || 0 }, io);
      })
      .command('pull <url>', 'download a pushed set (URL:SET), decrypt it, verify it, then put it in --dir; never overwrites a set', (y2) => withEnv(remoteFlags(y2
        .positional('url', { type: 'string', demandOption: true, describe: 'oci://HOST[:PORT]/REPOSITORY:SET or s3://BUCKET/PREFIX:SET' }))
        .option('dir', { type: 'string', demandOption: 'pass --dir with the management cluster folder', describe: 'the management cluster folder the set goes into' })
        .option('identity', { type: 'string', describe: 'age identity file (age-keygen output) of a recipient, repeatable' })
        .option('output', { alias: 'o', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format' })
        .example('$0 backups pull oci://registry.example:5000/backups:mgmt-backup-2026-11-29T10_00_00 --dir mgmt --identity key.txt', 'bring a set back, verified'), io.env),
      async (argv) => {
        await run(async () => (await import('./commands/backups-remote.js')).backupsPull, { url: String(argv.url), dir: String(last(argv.dir)), identity: manyStrings(argv.identity), ...toRemoteOptions(argv), output: argv.output as OutputFormat, verbosity: Number(argv.verbosity) || 0 }, io);
      })
      .demandCommand(1, 'name a backups command: list, prune, push or pull'))
    .command('recover', 'after a run was killed during its backup: put every cluster back in the pause state recorded before the move, and mark the set failed', (y) => withEnv(y
      .option('dir', { type: 'string', demandOption: 'pass --dir with the management cluster folder', describe: 'the management cluster folder holding the unfinished (.partial) set' })
      .option('kubeconfig', { type: 'string', describe: 'management cluster kubeconfig (default: <dir>/<mgmt>-eks-a-cluster.kubeconfig)' })
      .option('request-timeout', { type: 'string', default: '30s', describe: 'timeout of every kubectl request' })
      .option('journal', { type: 'string', describe: 'also write every external command to this NDJSON file' })
      .option('output', { alias: 'o', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format' })
      .example('$0 recover --dir mgmt', 'restore the pause state a killed backup left, as its .partial set recorded it'), io.env),
    async (argv) => {
      const timeout = String(last(argv.requestTimeout));
      if (!/^\d+(ms|s|m|h)$/.test(timeout)) throw new UsageError(`--request-timeout ${JSON.stringify(timeout)} is not a duration`, { hint: 'use a duration like 30s or 2m' });
      await run(async () => (await import('./commands/recover.js')).recover, {
        dir: String(argv.dir),
        kubeconfig: optionalString(argv.kubeconfig),
        requestTimeout: timeout,
        output: argv.output as OutputFormat,
        verbosity: Number(argv.verbosity) || 0,
        journal: optionalString(argv.journal),
      }, io);
    })
    .command(
      'route',
      'print the upgrades EKS-A requires from the live versions to --to (one EKS-A and one Kubernetes minor at a time, management first); run nothing',
      (y) => withEnv(gateFlags(y)
        .option('to', { type: 'string', demandOption: 'pass --to with the EKS-A version to reach, e.g. v0.24.0', describe: 'the EKS-A version to reach' })
        .option('release-manifest', { type: 'string', describe: 'EKS-A release manifest URL or file (default: the public one)' })
        .example('$0 route -f mgmt/mgmt-eks-a-cluster.yaml --to v0.24.0', 'the hops from an old tree to v0.24.0'), io.env),
      async (argv) => {
        await run(async () => (await import('./commands/route.js')).route, { ...toGateOptions(argv, false), to: String(last(argv.to)), releaseManifest: optionalString(argv.releaseManifest) }, io);
      },
    )
    .command('restore-plan <dir>', 'print the restore runbook of a backup set (its RESTORE.md): every command pre-filled, none run', (y) => y
      .positional('dir', { type: 'string', demandOption: true, describe: 'the backup folder, e.g. mgmt/mgmt-backup-2026-11-29T10_00_00' }),
    async (argv) => {
      await run(async () => (await import('./commands/restore-plan.js')).restorePlan, { dir: String(argv.dir) }, io);
    })
    .command('version', 'print the version of this tool and of the kubectl and eksctl anywhere it finds on PATH', (y) => withEnv(y
      .option('output', { alias: 'o', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format' })
      .example('$0 version -o json', 'the three versions as one JSON document'), io.env),
    async (argv) => {
      await run(async () => (await import('./commands/version.js')).version, { output: argv.output as OutputFormat, verbosity: Number(argv.verbosity) || 0 }, io);
    })
    .completion('completion [shell]', 'print the completion script of bash, zsh or fish (eval "$(eksa-safe-upgrade completion bash)")', (_current: string, _argv: unknown, defaults: (done: (error: unknown, completions: string[] | undefined) => void) => void, done: (completions: string[]) => void) => {
      // A path flag's value: nothing offered, so the shell completes file names.
      if (wantsPath(completionWords(args) ?? [])) {
        done([]);
        return;
      }
      defaults((_error: unknown, completions: string[] | undefined) => done(dropLongSingleLetters(completions ?? [])));
    })
    .demandCommand(1, 'name a command, e.g. preflight; see --help')
    .recommendCommands()
    .strict()
    .help()
    .alias('help', 'h')
    .version(pkg.version)
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      throw usageFailure(message ?? 'invalid arguments', args, chosen.current);
    });
}

/** The commands, as typed (subcommands of `backups` with it). */
const COMMANDS = ['preflight', 'backup', 'verify', 'drill', 'cluster', 'management-components', 'workloads', 'backups', 'backups list', 'backups prune', 'backups push', 'backups pull', 'recover', 'route', 'restore-plan', 'version', 'completion'] as const;

/** The command a command line names (`backups list`), skipping global flags; undefined when it names none. */
export function commandOf(args: readonly string[]): string | undefined {
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a === '-v' || a === '--verbosity') {
      i += 1;
      continue;
    }
    if (a.startsWith('-')) continue;
    words.push(a);
    if (words.length === 2) break;
  }
  if (words.length === 0) return undefined;
  const two = words.join(' ');
  return (COMMANDS as readonly string[]).includes(two) ? two : words[0];
}

interface OptionSource {
  getOptions(): { key?: Record<string, unknown>; alias?: Record<string, string[]>; hiddenOptions?: string[] };
}

/** A parse failure as the operator should read it: what is unknown, the closest flag or command, and the command's own help. */
function usageFailure(message: string, args: readonly string[], y: OptionSource | undefined): UsageError {
  const command = commandOf(args);
  const known = command !== undefined && (COMMANDS as readonly string[]).includes(command);
  const help = known ? `see eksa-safe-upgrade ${command} --help` : 'see eksa-safe-upgrade --help';
  if (command !== undefined && !known) {
    const near = closest(command, COMMANDS.filter((c) => !c.includes(' ')));
    return new UsageError(`unknown command: ${command}${near ? ` (did you mean ${near}?)` : ''}`, { hint: help });
  }
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknown && y) {
    const options = y.getOptions();
    const hidden = new Set(options.hiddenOptions ?? []);
    const flags = Object.keys(options.key ?? {}).filter((k) => !hidden.has(k) && k.length > 1 && !k.includes('_') && k !== '$0');
    const names = unknown[1]!.split(',').map((n) => n.trim()).filter((n) => n !== '');
    const suggestions = names.map((n) => [n, closest(n.replace(/^-+/, ''), flags)] as const).filter(([, near]) => near !== undefined);
    if (suggestions.length > 0) {
      return new UsageError(`${message} (did you mean ${suggestions.map(([, near]) => `--${near}`).join(', ')}?)`, { hint: help });
    }
  }
  return new UsageError(message, { hint: help });
}

/** The candidate nearest `word` by edit distance, when near enough to be a typo of it. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = levenshtein(word, name);
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return best !== undefined && best.distance <= limit ? best.name : undefined;
}

export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** A bare `-v` (or `--verbosity`) means level 1, as with kubectl's habit of `-v` alone; the words after `--` are eksctl's. */
export function normalizeArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return [...out, ...args.slice(i)];
    out.push(a);
    if ((a === '-v' || a === '--verbosity') && !/^\d+$/.test(args[i + 1] ?? '')) out.push('1');
  }
  return out;
}

/** `completion [bash|zsh|fish]`: the script, for the shell named or `$SHELL`'s. */
function completion(args: readonly string[], io: CommandIo): ExitCodeName {
  const rest = args.slice(1);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(['eksa-safe-upgrade completion [bash|zsh|fish]', '', 'Print the shell completion script (default: the shell of $SHELL).', '', '  eval "$(eksa-safe-upgrade completion bash)"', '  eksa-safe-upgrade completion zsh >> ~/.zshrc', '  eksa-safe-upgrade completion fish > ~/.config/fish/completions/eksa-safe-upgrade.fish'].join('\n'));
    return 'Success';
  }
  if (rest.length > 1 || (rest[0] !== undefined && !(SHELLS as readonly string[]).includes(rest[0]))) {
    throw new UsageError(`completion takes one shell: bash, zsh or fish (got ${rest.join(' ')})`, { hint: 'see eksa-safe-upgrade completion --help' });
  }
  io.stdout(completionScript((rest[0] as Shell | undefined) ?? shellOf(io.env), 'eksa-safe-upgrade'));
  return 'Success';
}

/** Parse argv and run one command. Returns the outcome; throws typed errors. Never exits the process. */
export async function main(args: readonly string[], io: CommandIo): Promise<ExitCodeName> {
  let outcome: ExitCodeName = 'Success';
  // No arguments: the help, exit 0, as kubectl and eksctl do.
  if (args.length === 0) {
    io.stdout(await buildParser(args, io, async () => undefined).getHelp());
    return 'Success';
  }
  if (args[0] === 'completion') return completion(args, io);
  const run: CommandRun = async (load, options, commandIo) => {
    outcome = await (await load())(options, commandIo);
  };
  await buildParser(args, io, run).parseAsync();
  return outcome;
}

/** Parse a command line as the CLI would and return the options the command would get; runs nothing. */
export async function parseOnly(args: readonly string[], io: CommandIo): Promise<{ options: unknown } | undefined> {
  let parsed: { options: unknown } | undefined;
  const run: CommandRun = async (_load, options) => {
    parsed = { options };
  };
  await buildParser(args, io, run).parseAsync();
  return parsed;
}

/** One line for the operator: the error, its hint, and the stack only when asked for. */
export function describeFailure(error: unknown, verbose: boolean): { text: string; exit: ExitCodeName } {
  if (isSafeUpgradeError(error)) {
    const lines = [`Error: ${error.message}`];
    if (error.hint) lines.push(`  hint: ${error.hint}`);
    if (verbose && error.stack) lines.push(error.stack);
    return { text: lines.join('\n'), exit: error.exit };
  }
  const message = error instanceof Error ? error.message : String(error);
  const lines = [`Error: internal: ${message}`, '  hint: rerun with -v and report it with the output'];
  if (verbose && error instanceof Error && error.stack) lines.push(error.stack);
  return { text: lines.join('\n'), exit: 'Internal' };
}

export function isVerbose(args: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const i = args.findIndex((a) => a === '-v' || a === '--verbosity' || a.startsWith('--verbosity=') || /^-v\d+$/.test(a));
  if (i >= 0) {
    const arg = args[i]!;
    const value = arg.includes('=') ? arg.split('=')[1] : /^-v\d+$/.test(arg) ? arg.slice(2) : args[i + 1];
    return value === undefined || Number(value) !== 0;
  }
  return Number(env.EKSA_SAFE_UPGRADE_VERBOSITY ?? 0) > 0;
}
