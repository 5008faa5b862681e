import { UsageError } from '../errors.js';
import type { RemoteLayout } from './types.js';
import { isEtcdEndpoint, isSafeAbsolutePath, isTimeoutSeconds, requireValue } from './validate.js';

/**
 * The one quoting function for anything that reaches a remote shell: a single-quoted POSIX word, `'` written
 * as `'\''`. Inside single quotes nothing is special, so `;`, `$()`, backticks and newlines stay literal.
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new UsageError('a value for the remote shell contains a NUL byte');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A script and the fixed command that reads it from stdin on the node. */
export interface RemoteInvocation {
  /** Sent as ssh's remote command: a constant, so no value from the cluster meets the login shell. */
  readonly remoteCommand: string;
  /** Fed on stdin; every value in it went through `shellQuote`. */
  readonly script: string;
}

export const DEFAULT_LAYOUT: Omit<RemoteLayout, 'topology' | 'os'> = {
  root: '',
  endpoint: undefined,
  stackedEtcdctl: 'auto',
  healthTimeoutSeconds: 5,
  saveTimeoutSeconds: 600,
  dialTimeoutSeconds: 3,
};

/**
 * The remote snapshot script for one OS and topology. It saves into a fresh temp file, writes the file to
 * stdout (tools' own stdout is discarded, their errors go to stderr), and removes the temp file in an EXIT
 * trap whatever happens.
 */
export function buildRemoteScript(layout: RemoteLayout): RemoteInvocation {
  requireValue(layout.root === '' || (isSafeAbsolutePath(layout.root) && !layout.root.endsWith('/')), 'remote root', layout.root);
  if (layout.endpoint !== undefined) requireValue(isEtcdEndpoint(layout.endpoint), 'etcd endpoint', layout.endpoint);
  for (const t of [layout.healthTimeoutSeconds, layout.saveTimeoutSeconds, layout.dialTimeoutSeconds]) {
    requireValue(isTimeoutSeconds(t), 'etcd timeout (seconds)', t);
  }
  const vars: Array<[string, string]> = [
    ['TOPOLOGY', layout.topology],
    ['ROOT', layout.root],
    ['ENDPOINT', layout.endpoint ?? ''],
    ['STACKED_ETCDCTL', layout.stackedEtcdctl],
    ['DIAL_TIMEOUT', `${layout.dialTimeoutSeconds}s`],
    ['HEALTH_TIMEOUT', `${layout.healthTimeoutSeconds}s`],
    ['SAVE_TIMEOUT', `${layout.saveTimeoutSeconds}s`],
  ];
  const body = layout.os === 'bottlerocket' ? BOTTLEROCKET : layout.topology === 'external' ? EXTERNAL_ETCDADM : STACKED_KUBEADM;
  const script = [
    `# eksa-safe-upgrade etcd snapshot (${layout.topology}, ${layout.os})`,
    'set -eu',
    ...vars.map(([name, value]) => `${name}=${shellQuote(value)}`),
    PRELUDE + body,
    // The body is a function so the shell has read the whole script before anything runs; its stdin is
    // /dev/null so no tool it starts can swallow the rest of the script from ssh's stdin.
    'snapshot_main </dev/null',
    '',
  ].join('\n');
  // Bottlerocket lands in the admin container; `sheltie` is the documented way to a root shell on the host.
  return { remoteCommand: layout.os === 'bottlerocket' ? 'sudo -n sheltie' : 'sudo -n sh -s', script };
}

/**
 * The read-only sibling of the snapshot script: the same way to etcdctl and its certificates, then
 * `endpoint status -w json` (the member's dbSize) on stdout; no temp file is made. Derived from the
 * snapshot body so the two can never reach etcd differently.
 */
export function buildStatusScript(layout: RemoteLayout): RemoteInvocation {
  const snapshot = buildRemoteScript(layout);
  const lines = snapshot.script.split('\n');
  const out: string[] = [];
  let saves = 0;
  for (const line of lines) {
    if (/^\s*new_snapshot_file /.test(line) || /^\s*cat "\$SNAP"$/.test(line) || / endpoint health >\/dev\/null$/.test(line)) continue;
    if (line.includes(' snapshot save "$SNAP" >/dev/null')) {
      saves++;
      out.push(line.replace('--command-timeout="$SAVE_TIMEOUT"', '--command-timeout="$HEALTH_TIMEOUT"').replace(' snapshot save "$SNAP" >/dev/null', ' endpoint status -w json').replace('eksa-snapshot-$$', () => 'eksa-status-$$'));
      continue;
    }
    out.push(line.replace('# eksa-safe-upgrade etcd snapshot', '# eksa-safe-upgrade etcd status'));
  }
  if (saves !== 1) throw new Error('internal: the etcd snapshot script has no single snapshot save line to turn into a status read');
  return { remoteCommand: snapshot.remoteCommand, script: out.join('\n') };
}

// Shared: the temp file and its trap. A signal turns into an exit so the EXIT trap runs; SIGPIPE (the
// local side went away) ends `cat` and, under `set -e`, the script.
const PRELUDE = `umask 077
SNAP=''
cleanup() { if [ -n "$SNAP" ]; then rm -f "$SNAP" "$SNAP.part"; fi; }
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
fail() { echo "etcd snapshot: $*" >&2; exit 3; }
new_snapshot_file() { SNAP=$(mktemp "$1/eksa-etcd-snapshot.XXXXXX"); }
first_endpoint() { printf '%s\\n' "\${1%%,*}"; }
`;

// External etcd from etcdadm (Ubuntu/RHEL): etcdctl.env names the client certs, as EKS-A's docs use it.
const EXTERNAL_ETCDADM = `snapshot_main() {
  ENV_FILE="$ROOT/etc/etcd/etcdctl.env"
  [ -r "$ENV_FILE" ] || fail "cannot read $ENV_FILE"
  set -a
  . "$ENV_FILE"
  set +a
  export ETCDCTL_API=3
  if [ -n "$ENDPOINT" ]; then ETCDCTL_ENDPOINTS=$ENDPOINT; fi
  EP=$(first_endpoint "\${ETCDCTL_ENDPOINTS:-https://127.0.0.1:2379}")
  unset ETCDCTL_ENDPOINTS ETCDCTL_DIAL_TIMEOUT ETCDCTL_COMMAND_TIMEOUT
  new_snapshot_file "$ROOT/var/lib/etcd"
  etcdctl --endpoints="$EP" --dial-timeout="$DIAL_TIMEOUT" --command-timeout="$HEALTH_TIMEOUT" endpoint health >/dev/null
  etcdctl --endpoints="$EP" --dial-timeout="$DIAL_TIMEOUT" --command-timeout="$SAVE_TIMEOUT" snapshot save "$SNAP" >/dev/null
  cat "$SNAP"
}
`;

// Stacked etcd from kubeadm (Ubuntu/RHEL): the kubeadm etcd certificates; the host's etcdctl, or the
// etcd container through crictl (it shares /etc/kubernetes/pki/etcd and /var/lib/etcd with the host).
const STACKED_KUBEADM = `snapshot_main() {
  PKI="$ROOT/etc/kubernetes/pki/etcd"
  EP=$(first_endpoint "\${ENDPOINT:-https://127.0.0.1:2379}")
  if [ "$STACKED_ETCDCTL" = host ] || { [ "$STACKED_ETCDCTL" = auto ] && command -v etcdctl >/dev/null 2>&1; }; then
    run_etcdctl() { ETCDCTL_API=3 etcdctl "$@"; }
  else
    CID=$(crictl ps --name '^etcd$' --state running -q | head -n 1)
    case "$CID" in ''|*[!0-9A-Za-z_.-]*) fail "no running etcd container found with crictl";; esac
    run_etcdctl() { crictl exec "$CID" etcdctl "$@"; }
  fi
  new_snapshot_file "$ROOT/var/lib/etcd"
  set -- --endpoints="$EP" --cacert="$PKI/ca.crt" --cert="$PKI/server.crt" --key="$PKI/server.key" --dial-timeout="$DIAL_TIMEOUT"
  run_etcdctl "$@" --command-timeout="$HEALTH_TIMEOUT" endpoint health >/dev/null
  run_etcdctl "$@" --command-timeout="$SAVE_TIMEOUT" snapshot save "$SNAP" >/dev/null
  cat "$SNAP"
}
`;

// Bottlerocket (external and stacked), run by \`sudo sheltie\` on the host: etcdctl inside the running etcd
// container via \`ctr -n k8s.io\`, certificates under /var/lib/etcd/pki, the file in /var/lib/etcd/data
// (mounted at the same path in the container). External etcd advertises its URL in the etcd manifest.
const BOTTLEROCKET = `snapshot_main() {
  PKI="$ROOT/var/lib/etcd/pki"
  MANIFEST="$ROOT/etc/kubernetes/manifests/etcd"
  if [ -z "$ENDPOINT" ] && [ "$TOPOLOGY" = external ]; then
    [ -r "$MANIFEST" ] || fail "cannot read $MANIFEST"
    ENDPOINT=$(grep -wA1 ETCD_ADVERTISE_CLIENT_URLS "$MANIFEST" | tail -n 1 | grep -oE '[^ ]+$' | tr -d "\\"'") || true
    [ -n "$ENDPOINT" ] || fail "no ETCD_ADVERTISE_CLIENT_URLS in $MANIFEST"
  fi
  EP=$(first_endpoint "\${ENDPOINT:-https://127.0.0.1:2379}")
  CID=''
  for c in $(ctr -n k8s.io containers list | grep -w etcd-io | cut -d ' ' -f 1); do
    case "$c" in *[!0-9A-Za-z_.-]*) continue;; esac
    if ctr -n k8s.io tasks list | grep -w "$c" | grep -qw RUNNING; then CID=$c; break; fi
  done
  [ -n "$CID" ] || fail "no running etcd container found with ctr -n k8s.io"
  new_snapshot_file "$ROOT/var/lib/etcd/data"
  set -- --endpoints="$EP" --cacert="$PKI/ca.crt" --cert="$PKI/server.crt" --key="$PKI/server.key" --dial-timeout="$DIAL_TIMEOUT"
  ctr -n k8s.io tasks exec --exec-id "eksa-snapshot-health-$$" "$CID" etcdctl "$@" --command-timeout="$HEALTH_TIMEOUT" endpoint health >/dev/null
  ctr -n k8s.io tasks exec --exec-id "eksa-snapshot-$$" "$CID" etcdctl "$@" --command-timeout="$SAVE_TIMEOUT" snapshot save "$SNAP" >/dev/null
  cat "$SNAP"
}
`;
