import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { isHostAddress, isPosixUserName } from './validate.js';

/** How the tool reaches every node: the `--ssh-*` flags, resolved. */
export interface SshSettings {
  /** `--ssh-port`; unset: ssh's own default (22 or the user's ssh config). */
  readonly port?: number;
  /** `--ssh-key`, or the `<cluster>/eks-a-id_rsa` EKS-A generated. */
  readonly keyFile: string;
  /** `--ssh-known-hosts`: strict checking against this file only. */
  readonly knownHostsFile?: string;
  /** Without `--ssh-known-hosts`: new keys are accepted and recorded here (kept in the backup set). */
  readonly recordKnownHostsFile: string;
  /**
   * Without `--ssh-known-hosts` and `--accept-changed-host-keys`: the newest earlier set's `etcd/known_hosts`,
   * copied into `recordKnownHostsFile` before the first ssh, so a host whose key changed since is refused.
   */
  readonly pinnedFrom?: string;
  /** `--ssh-option Key=Value`, passed through. */
  readonly extraOptions?: readonly string[];
  readonly connectTimeoutSeconds?: number;
}

// ssh keeps the first value it sees for an option, so these come first and pass-through options cannot
// weaken them; the flags that own them say what to use instead.
const RESERVED_OPTIONS: Record<string, string> = {
  batchmode: 'the tool never prompts',
  stricthostkeychecking: 'use --ssh-known-hosts',
  userknownhostsfile: 'use --ssh-known-hosts',
  globalknownhostsfile: 'use --ssh-known-hosts',
  knownhostscommand: 'use --ssh-known-hosts',
  port: 'use --ssh-port',
  user: 'use --ssh-user',
  identityfile: 'use --ssh-key',
  remotecommand: 'the tool sends its own command',
  requesttty: 'a tty would corrupt the snapshot stream',
  sessiontype: 'the tool needs a command session',
};

/** Checks `--ssh-option` values: `Key=Value`, one line, not one the tool must own. */
export function validateSshOption(option: string): string {
  const match = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(option);
  if (!match || /[\n\r\0]/.test(option)) {
    throw new UsageError(`invalid --ssh-option ${JSON.stringify(option)}: expected one Key=Value`, { hint: 'write it as Key=Value, for example ProxyJump=bastion' });
  }
  const reason = RESERVED_OPTIONS[(match[1] ?? '').toLowerCase()];
  if (reason) throw new UsageError(`--ssh-option ${match[1]} is not allowed: ${reason}`, { hint: reason });
  return option;
}

/**
 * A local path as ssh reads file options: `%` starts a token and `${` an environment variable. In `-o`
 * values `%` is doubled and whitespace (which would separate several files) is double-quoted. `-i` takes
 * the raw path to check it exists and expands it later, so there a `%` cannot be escaped and is refused,
 * as are `"`, `${` and newlines everywhere.
 */
export function sshPath(path: string, asOptionValue: boolean): string {
  if (/["\n\r\0]|\$\{/.test(path) || (!asOptionValue && path.includes('%'))) {
    throw new UsageError(`ssh cannot take the path ${JSON.stringify(path)}`, { hint: 'use a path without quotes, "%", "${" or newlines' });
  }
  const escaped = path.replace(/%/g, '%%');
  // ssh splits an -o value like a config line: outside double quotes it drops ' and " and reads \ as an
  // escape, so such a path is double-quoted, its backslashes doubled (inside, ' is literal).
  return asOptionValue && /[\s'\\]/.test(escaped) ? `"${escaped.replace(/\\/g, '\\\\')}"` : escaped;
}

/** The key EKS-A generates for a cluster when the spec names none. */
export function defaultSshKey(cluster: string, cwd: string): string {
  return join(cwd, cluster, 'eks-a-id_rsa');
}

/** Checks the settings once, at plan time: port, pass-through options, paths ssh must be able to read. */
export function validateSshSettings(settings: SshSettings): void {
  if (settings.port !== undefined && !(Number.isInteger(settings.port) && settings.port > 0 && settings.port < 65536)) {
    throw new UsageError(`invalid --ssh-port ${settings.port}`);
  }
  (settings.extraOptions ?? []).forEach(validateSshOption);
  sshPath(settings.keyFile, false);
  sshPath(settings.knownHostsFile ?? settings.recordKnownHostsFile, true);
}

/** The ssh argv for one node; the remote command is a constant the caller picks, never built from values. */
export function buildSshArgv(settings: SshSettings, user: string, address: string, remoteCommand: string): string[] {
  if (!isPosixUserName(user)) throw new UsageError(`invalid SSH user ${JSON.stringify(user)}`, { hint: 'pass --ssh-user' });
  if (!isHostAddress(address)) throw new UsageError(`invalid node address ${JSON.stringify(address)}`);
  validateSshSettings(settings);
  const hostKeys = settings.knownHostsFile
    ? ['StrictHostKeyChecking=yes', `UserKnownHostsFile=${sshPath(settings.knownHostsFile, true)}`, 'GlobalKnownHostsFile=/dev/null']
    : ['StrictHostKeyChecking=accept-new', `UserKnownHostsFile=${sshPath(settings.recordKnownHostsFile, true)}`];
  const fixed = ['BatchMode=yes', ...hostKeys, 'IdentitiesOnly=yes', 'RequestTTY=no'];
  // After the fixed options (ssh keeps the first value it sees) and before the defaults, so an operator
  // can tune timeouts but not weaken host-key checking.
  const extra = settings.extraOptions ?? [];
  const defaults = [`ConnectTimeout=${settings.connectTimeoutSeconds ?? 10}`, 'ServerAliveInterval=10', 'ServerAliveCountMax=3', 'LogLevel=ERROR'];
  const port = settings.port === undefined ? [] : ['-p', String(settings.port)];
  return ['ssh', ...[...fixed, ...extra, ...defaults].flatMap((o) => ['-o', o]), '-i', sshPath(settings.keyFile, false), ...port, '-l', user, '--', address, remoteCommand];
}
