import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

// DNS-1123 label: what Kubernetes (and EKS-A) accept as a cluster or namespace name. Anything else —
// '/', '..', spaces, shell characters — never reaches a path or a command.
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// DNS-1123 subdomain: object names (Machines, Secrets) may contain dots.
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isDns1123Label(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 63 && DNS1123_LABEL.test(name);
}

export function isDns1123Subdomain(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
}

export function isIpAddress(value: unknown): value is string {
  return typeof value === 'string' && isIP(value) !== 0;
}

/** A printable, bounded rendering of an untrusted value for error messages. */
export function describeValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const shown = JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
  return shown;
}

export function assertDns1123Label(name: unknown, what: string, hint?: string): string {
  if (isDns1123Label(name)) return name;
  throw new UsageError(
    `${what} ${describeValue(name)} is not a valid name (lowercase letters, digits and '-', at most 63 characters)`,
    { hint: hint ?? 'fix the name in the cluster spec' },
  );
}

export function assertDns1123Subdomain(name: unknown, what: string, hint?: string): string {
  if (isDns1123Subdomain(name)) return name;
  throw new UsageError(`${what} ${describeValue(name)} is not a valid Kubernetes object name`, {
    hint: hint ?? 'the cluster returned an object name the tool will not use in a path or command',
  });
}
