import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { changedHostKey, fingerprint, knownHostsName, knownKeysFor } from '../../src/etcd/known-hosts.js';

const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIKNyC091zm2qTRMQwWjwX1lMihSoe51wzVx6VXRnM+bm';

describe('known_hosts reading (finding 17)', () => {
  it('fingerprints a key as ssh-keygen -l does', () => {
    expect(fingerprint(KEY)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('finds the keys of a host in plain and hashed lines, with and without a port', () => {
    const salt = randomBytes(20);
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[127.0.0.2]:2222').digest('base64')}`;
    const text = [`# comment`, `10.0.0.1,10.0.0.9 ssh-ed25519 ${KEY}`, `${hashed} ssh-ed25519 ${KEY}`, '@revoked * ssh-rsa AAAA', 'garbage'].join('\n');
    expect(knownKeysFor(text, '10.0.0.9')).toEqual([{ type: 'ssh-ed25519', fingerprint: fingerprint(KEY) }]);
    expect(knownKeysFor(text, knownHostsName('127.0.0.2', 2222))).toEqual([{ type: 'ssh-ed25519', fingerprint: fingerprint(KEY) }]);
    expect(knownKeysFor(text, '127.0.0.2')).toEqual([]);
    expect(knownHostsName('10.0.0.1', 22)).toBe('10.0.0.1');
  });

  it("reads ssh's changed-key report: the host and the fingerprint it sent", () => {
    const stderr = [
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
      '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
      'The fingerprint for the ED25519 key sent by the remote host is',
      'SHA256:cvgfKvNKr2onMxg+x8Dv6eCFxhRKmzOAJLWLjF/2sU0.',
      'Host key for [127.0.0.1]:22299 has changed and you have requested strict checking.',
      'Host key verification failed.',
    ].join('\n');
    expect(changedHostKey(stderr)).toEqual({ host: '[127.0.0.1]:22299', sent: 'SHA256:cvgfKvNKr2onMxg+x8Dv6eCFxhRKmzOAJLWLjF/2sU0' });
    expect(changedHostKey('Permission denied (publickey).')).toBeUndefined();
  });
});
