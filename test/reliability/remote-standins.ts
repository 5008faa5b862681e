// Stand-ins dropped into the test sshd's stand-ins directory, which is first on sudo's PATH on the "node":
// they wrap the real tools to make one ssh session misbehave the way a real node or network would.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RealSshd } from '../helpers/testbed.js';

// The sshd process of the ssh session a stand-in runs in (walking up from the stand-in), and the address
// the session came in on: what tells one "node" from another when every node is this machine.
const SESSION = `session_sshd() {
  p=$$
  while [ "$p" -gt 1 ]; do
    case "$(/usr/bin/head -n 1 /proc/$p/comm)" in sshd*) echo "$p"; return;; esac
    p=$(/usr/bin/cut -d' ' -f4 /proc/$p/stat)
  done
}
session_address() {
  p=$$
  while [ "$p" -gt 1 ]; do
    c=$(/usr/bin/tr '\\0' '\\n' < /proc/$p/environ 2>/dev/null | /usr/bin/sed -n 's/^SSH_CONNECTION=//p')
    if [ -n "$c" ]; then echo "$c" | /usr/bin/cut -d' ' -f3; return; fi
    p=$(/usr/bin/cut -d' ' -f4 /proc/$p/stat)
  done
}
`;

// Only the snapshot stream misbehaves: the stand-ins' other reads (ctr's container id on Bottlerocket, in the
// room check and before the snapshot) get the real cat, so a session dies or stalls mid-snapshot and nowhere else.
const SNAPSHOT_ONLY = `case "$1" in */eksa-etcd-snapshot.*) ;; *) exec /usr/bin/cat "$@";; esac`;

/** `cat` that sends half the snapshot, then the session's sshd dies: the connection cut mid-stream. */
export const CUT_CAT = `#!/bin/sh
${SNAPSHOT_ONLY}
${SESSION}
size=$(/usr/bin/stat -c %s "$1")
/usr/bin/head -c $((size / 2)) "$1"
/usr/bin/sleep 1.5
kill -9 "$(session_sshd)"
/usr/bin/sleep 5
`;

/** \`cat\` that sends half the snapshot, then waits while the session lasts: a slow link to signal during. */
export const SLOW_CAT = `#!/bin/sh
${SNAPSHOT_ONLY}
${SESSION}
sshd=$(session_sshd)
size=$(/usr/bin/stat -c %s "$1")
/usr/bin/head -c $((size / 2)) "$1"
i=0
while [ $i -lt 300 ] && kill -0 "$sshd" 2>/dev/null; do /usr/bin/sleep 0.1; i=$((i + 1)); done
/usr/bin/tail -c +$((size / 2 + 1)) "$1"
`;

/** The real etcdctl, pointed at a dead endpoint when the session came in on an address in etcd-down. */
export function etcdDownEtcdctl(realEtcdctl: string, deadEndpoint: string, downFile: string): string {
  return `#!/bin/sh
${SESSION}
if /usr/bin/grep -qxF "$(session_address)" "${downFile}" 2>/dev/null; then
  for a; do
    shift
    case "$a" in --endpoints=*) set -- "$@" "--endpoints=${deadEndpoint}";; *) set -- "$@" "$a";; esac
  done
fi
exec ${realEtcdctl} "$@"
`;
}

/** Installs stand-ins by name; returns the function that removes them again. */
export function installStandins(sshd: RealSshd, scripts: Record<string, string>): () => void {
  for (const [name, text] of Object.entries(scripts)) writeFileSync(join(sshd.standinsDir, name), text, { mode: 0o755 });
  return () => {
    for (const name of Object.keys(scripts)) rmSync(join(sshd.standinsDir, name), { force: true });
  };
}
