// Deterministic names, uids, addresses and fake secret material for generated objects.
// Names depend only on the scenario (so scenario patches can name a Machine); uids and secret
// values also depend on the seed, so every run gets fresh ones unless a seed is given.
import { createHash } from 'node:crypto';

const digest = (...parts) => createHash('sha256').update(parts.join('\u0000')).digest();

// The alphabet of Kubernetes' generated name suffixes (apimachinery util/rand): no vowels, no 0/1/3.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A 5-character suffix like the ones Kubernetes controllers append (`mgmt-md-0-x7k2p`). */
export function nameSuffix(...parts) {
  return Array.from(digest('name', ...parts).subarray(0, 5), (b) => ALPHABET[b % ALPHABET.length]).join('');
}

/** A version-4-shaped UUID derived from the seed and the object's identity. */
export function uidFor(seed, ...parts) {
  const h = digest('uid', seed, ...parts).toString('hex');
  const variant = '89ab'[Number.parseInt(h[16] ?? '0', 16) % 4];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Twelve hex characters of seed-dependent noise (the `<random>` of fake secrets). */
export function noise(seed, ...parts) {
  return digest('noise', seed, ...parts).toString('hex').slice(0, 12);
}

/** Machines per cluster are capped so every machine gets its own last octet. */
export const MAX_MACHINES_PER_CLUSTER = 250;

/**
 * A unique loopback address per machine: 127.<1 + cluster/250>.<cluster % 250>.<machine + 1>.
 * Octet 252 is the Tinkerbell IP, 254 the control-plane endpoint of the cluster.
 */
export function loopbackAddress(clusterIndex, hostOctet) {
  return `127.${1 + Math.floor(clusterIndex / 250)}.${clusterIndex % 250}.${hostOctet}`;
}

export const machineAddress = (clusterIndex, machineIndex) => loopbackAddress(clusterIndex, machineIndex + 1);
export const endpointAddress = (clusterIndex) => loopbackAddress(clusterIndex, 254);
export const tinkerbellAddress = (clusterIndex) => loopbackAddress(clusterIndex, 252);

/** A decimal hash string like CAPI's `machine-template-hash` label values. */
export function numericHash(...parts) {
  return String(digest('hash', ...parts).readUInt32BE(0));
}
