import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import { isDns1123Label } from '../kube/names.js';

// Everything that reaches an ssh argv, a remote script or a local path from the cluster or from flags passes
// one of these. They are strict on purpose: a value that fails is rejected, never "cleaned".

const POSIX_USER = /^[a-z_][a-z0-9_-]{0,31}$/;

/**
 * A DNS-1123 subdomain (Kubernetes object names): lowercase labels joined by dots, at most 253 characters.
 * Not names.ts's isDns1123Subdomain: that one has no per-label 63-character limit.
 */
export function isDns1123Subdomain(value: string): boolean {
  return value.length > 0 && value.length <= 253 && value.split('.').every((label) => isDns1123Label(label));
}

/** A login name that useradd and sshd accept without quoting: lowercase, digits, `_`, `-`; no leading digit or `-`. */
export function isPosixUserName(value: string): boolean {
  return POSIX_USER.test(value);
}

/** IPv4, IPv6 (no zone, no brackets) or an RFC 1123 host name: nothing ssh could read as an option or a user. */
export function isHostAddress(value: string): boolean {
  if (isIP(value) !== 0) return !value.includes('%');
  return value.length <= 253 && value.split('.').every((label) => /^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?$/.test(label));
}

/** An absolute path with no newline or NUL. Shell metacharacters are allowed: the one quoting function handles them. */
export function isSafeAbsolutePath(value: string): boolean {
  return value.startsWith('/') && !/[\n\r\0]/.test(value);
}

/** An http(s) URL naming a host (or bracketed IPv6) and a port, as etcdctl --endpoints takes it. */
export function isEtcdEndpoint(value: string): boolean {
  const match = /^https?:\/\/(\[[0-9A-Fa-f:.]+\]|[^/:@\s[\]]+):(\d{1,5})$/.exec(value);
  if (!match) return false;
  const host = match[1] ?? '';
  const hostOk = host.startsWith('[') ? isIP(host.slice(1, -1)) === 6 : isHostAddress(host);
  return hostOk && Number(match[2]) > 0 && Number(match[2]) < 65536;
}

/** An etcdctl duration we pass through: a whole number of seconds. */
export function isTimeoutSeconds(value: number): boolean {
  return Number.isInteger(value) && value > 0 && value <= 86_400;
}

export function requireValue(ok: boolean, what: string, value: unknown, hint?: string): void {
  if (!ok) throw new UsageError(`invalid ${what}: ${JSON.stringify(value)}`, hint === undefined ? {} : { hint });
}
