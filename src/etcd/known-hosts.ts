import { createHash, createHmac } from 'node:crypto';

/** OpenSSH's SHA256 fingerprint of a public key (base64 blob as in known_hosts). */
export function fingerprint(keyBase64: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(keyBase64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/** The host as ssh names it in known_hosts: `addr` on port 22, else `[addr]:port`. */
export function knownHostsName(address: string, port: number | undefined): string {
  return port === undefined || port === 22 ? address : `[${address}]:${port}`;
}

/** Whether one host field of a known_hosts line (comma-separated, or hashed `|1|salt|hash`) names `host`. */
function hostFieldMatches(field: string, host: string): boolean {
  return field.split(',').some((pattern) => {
    const hashed = /^\|1\|([^|]+)\|(.+)$/.exec(pattern);
    if (!hashed) return pattern === host;
    return createHmac('sha1', Buffer.from(hashed[1]!, 'base64')).update(host).digest('base64') === hashed[2];
  });
}

/** The keys a known_hosts text holds for `host`: type and fingerprint (markers, comments and bad lines skipped). */
export function knownKeysFor(text: string, host: string): Array<{ type: string; fingerprint: string }> {
  const keys: Array<{ type: string; fingerprint: string }> = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3 || fields[0]!.startsWith('#') || fields[0]!.startsWith('@')) continue;
    if (!hostFieldMatches(fields[0]!, host)) continue;
    keys.push({ type: fields[1]!, fingerprint: fingerprint(fields[2]!) });
  }
  return keys;
}

/**
 * ssh's own report of a changed host key (it refuses one with StrictHostKeyChecking yes or accept-new):
 * the host as known_hosts names it and the fingerprint the host sent. Undefined for any other failure.
 */
export function changedHostKey(stderr: string): { host: string | undefined; sent: string | undefined } | undefined {
  if (!/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for \S+ has changed/.test(stderr)) return undefined;
  const host = /Host key for (\S+) has changed/.exec(stderr)?.[1];
  const sent = /(SHA256:[A-Za-z0-9+/]{20,})/.exec(stderr)?.[1];
  return { host, sent };
}

