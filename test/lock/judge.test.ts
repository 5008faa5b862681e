import { describe, expect, it } from 'vitest';
import { describeLeaseState, judgeLease, lockedMessage } from '../../src/lock/judge.js';
import { LEASE_ANNOTATIONS, type LeaseObject } from '../../src/lock/lease.js';

const NOW = Date.UTC(2026, 10, 29, 10, 10, 0);
const at = (minutes: number, seconds = 0) => new Date(Date.UTC(2026, 10, 29, 10, minutes, seconds)).toISOString().replace('Z', '000Z');

const lease = (spec: LeaseObject['spec'], annotations?: Record<string, string>): LeaseObject => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'eksa-safe-upgrade', namespace: 'eksa-system', resourceVersion: '17', ...(annotations ? { annotations } : {}) },
  spec,
});

describe('judgeLease', () => {
  it('absent lease: free', () => {
    expect(judgeLease(undefined, NOW, 300)).toEqual({ state: 'absent' });
  });

  it.each<[string, LeaseObject['spec'], 'held' | 'expired', number, number]>([
    // name, spec, state, renewedAgo, expiresIn
    ['renewed 40 s ago, 300 s term', { holderIdentity: 'a@h pid 1', leaseDurationSeconds: 300, acquireTime: at(0), renewTime: at(9, 20) }, 'held', 40, 260],
    ['renewed exactly one term ago', { holderIdentity: 'a@h pid 1', leaseDurationSeconds: 300, acquireTime: at(0), renewTime: at(5) }, 'expired', 300, 0],
    ['lapsed 2 minutes ago', { holderIdentity: 'a@h pid 1', leaseDurationSeconds: 60, acquireTime: at(0), renewTime: at(7) }, 'expired', 180, -120],
    ['never renewed: acquireTime counts', { holderIdentity: 'a@h pid 1', leaseDurationSeconds: 900, acquireTime: at(0) }, 'held', 600, 300],
    ['no duration: our term applies', { holderIdentity: 'a@h pid 1', acquireTime: at(8), renewTime: at(8) }, 'held', 120, 180],
    ['released (empty holder) though fresh', { holderIdentity: '', leaseDurationSeconds: 300, renewTime: at(9, 59) }, 'expired', 1, 299],
    ['renewed in the future (clock skew): held', { holderIdentity: 'a@h pid 1', leaseDurationSeconds: 300, renewTime: at(11) }, 'held', -60, 360],
  ])('%s', (_name, spec, state, renewedAgo, expiresIn) => {
    const judged = judgeLease(lease(spec), NOW, 300);
    expect(judged.state).toBe(state);
    if (judged.state === 'absent') throw new Error('unreachable');
    expect(judged.renewedAgoSeconds).toBe(renewedAgo);
    expect(judged.expiresInSeconds).toBe(expiresIn);
    expect(judged.resourceVersion).toBe('17');
  });

  it('an unreadable time lapsed long ago rather than locking everyone out', () => {
    const judged = judgeLease(lease({ holderIdentity: 'a@h pid 1', leaseDurationSeconds: 300, renewTime: 'soon' }), NOW, 300);
    expect(judged.state).toBe('expired');
  });

  it('reads the CI job and cluster from the annotations', () => {
    const judged = judgeLease(
      lease({ holderIdentity: 'ci@runner pid 9', leaseDurationSeconds: 300, renewTime: at(9) }, {
        [LEASE_ANNOTATIONS.ciJobUrl]: 'https://gitlab/x/-/jobs/1',
        [LEASE_ANNOTATIONS.cluster]: 'w01',
      }),
      NOW,
      300,
    );
    expect(judged).toMatchObject({ state: 'held', ciJobUrl: 'https://gitlab/x/-/jobs/1', cluster: 'w01' });
  });
});

describe('lockedMessage / describeLeaseState', () => {
  const held = judgeLease(lease({ holderIdentity: 'ops@bastion pid 7', leaseDurationSeconds: 300, acquireTime: at(2), renewTime: at(9, 30) }), NOW, 300);

  it('says who, since when, last renewal and expiry in one line', () => {
    if (held.state !== 'held') throw new Error('expected held');
    expect(lockedMessage(held)).toBe('locked by ops@bastion pid 7 since 2026-11-29T10:02:00.000000Z (renewed 30s ago, expires in 270s)');
  });

  it.each([
    [judgeLease(undefined, NOW, 300), 'lock: free'],
    [held, 'lock: held by ops@bastion pid 7 since 2026-11-29T10:02:00.000000Z (renewed 30s ago, expires in 270s)'],
    [judgeLease(lease({ holderIdentity: 'old@h pid 1', leaseDurationSeconds: 60, renewTime: at(8) }), NOW, 300), "lock: lease of old@h pid 1 looks lapsed 60s ago by this machine's clock; would watch it for its 60s term and take it over only if nobody renews it"],
    [judgeLease(lease({ holderIdentity: '', leaseDurationSeconds: 60, renewTime: at(10) }), NOW, 300), 'lock: free (released lease)'],
  ])('%#: %s', (state, line) => {
    expect(describeLeaseState(state)).toBe(line);
  });
});
