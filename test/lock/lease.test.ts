import { describe, expect, it } from 'vitest';
import {
  buildLease,
  ciJobUrl,
  currentHolderIdentity,
  holderIdentity,
  LEASE_ANNOTATIONS,
  microTime,
  parseTime,
  type LeaseIdentity,
} from '../../src/lock/lease.js';

describe('holderIdentity', () => {
  it.each([
    [{ user: 'ops', host: 'bastion-1', pid: 4242 }, 'ops@bastion-1 pid 4242'],
    [{ user: 'runner', host: 'gh-runner.internal', pid: 1 }, 'runner@gh-runner.internal pid 1'],
  ])('%o → %s', (who, expected) => {
    expect(holderIdentity(who)).toBe(expected);
  });

  it('names this process', () => {
    expect(currentHolderIdentity()).toMatch(new RegExp(`^[^@\\s]+@\\S+ pid ${process.pid}$`));
  });
});

describe('ciJobUrl', () => {
  it.each<[string, Record<string, string>, string | undefined]>([
    [
      'GitHub Actions',
      { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/infra', GITHUB_RUN_ID: '123456' },
      'https://github.com/acme/infra/actions/runs/123456',
    ],
    [
      'GitHub Enterprise with a trailing slash',
      { GITHUB_SERVER_URL: 'https://ghe.acme.io/', GITHUB_REPOSITORY: 'ops/eksa', GITHUB_RUN_ID: '7' },
      'https://ghe.acme.io/ops/eksa/actions/runs/7',
    ],
    ['GitHub without a run id', { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/infra' }, undefined],
    ['GitLab CI', { CI_JOB_URL: 'https://gitlab.acme.io/ops/eksa/-/jobs/99' }, 'https://gitlab.acme.io/ops/eksa/-/jobs/99'],
    [
      'GitHub wins when both are set',
      { CI_JOB_URL: 'https://gitlab/x', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'a/b', GITHUB_RUN_ID: '1' },
      'https://github.com/a/b/actions/runs/1',
    ],
    ['no CI', { CI: 'true', HOME: '/home/ops' }, undefined],
  ])('%s', (_name, env, expected) => {
    expect(ciJobUrl(env)).toBe(expected);
  });
});

describe('microTime / parseTime', () => {
  it.each([
    [Date.UTC(2026, 10, 29, 10, 0, 0, 0), '2026-11-29T10:00:00.000000Z'],
    [Date.UTC(2026, 0, 2, 3, 4, 5, 678), '2026-01-02T03:04:05.678000Z'],
  ])('%d → %s and back', (ms, text) => {
    expect(microTime(ms)).toBe(text);
    expect(parseTime(text)).toBe(ms);
  });

  it.each<[unknown, number | undefined]>([
    ['2026-11-29T10:00:00Z', Date.UTC(2026, 10, 29, 10)],
    ['2026-11-29T10:00:00.123456789Z', Date.UTC(2026, 10, 29, 10, 0, 0, 123)],
    ['2026-11-29T11:00:00.5+01:00', Date.UTC(2026, 10, 29, 10, 0, 0, 500)],
    ['yesterday', undefined],
    ['2026-13-45T10:00:00Z', undefined],
    [undefined, undefined],
    [1700000000, undefined],
  ])('parseTime(%o) = %o', (text, ms) => {
    expect(parseTime(text)).toBe(ms);
  });
});

describe('buildLease', () => {
  const identity: LeaseIdentity = {
    holder: 'ops@bastion pid 7',
    cluster: 'mgmt',
    toolVersion: '0.1.0',
    ciJobUrl: undefined,
    leaseSeconds: 300,
  };
  const t0 = Date.UTC(2026, 10, 29, 10);

  it('is a Lease in eksa-system with holder, term, times and annotations, and no resourceVersion for a create', () => {
    expect(buildLease(identity, { acquireMs: t0, renewMs: t0 + 1500 })).toEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'eksa-safe-upgrade',
        namespace: 'eksa-system',
        annotations: { [LEASE_ANNOTATIONS.cluster]: 'mgmt', [LEASE_ANNOTATIONS.toolVersion]: '0.1.0' },
      },
      spec: {
        holderIdentity: 'ops@bastion pid 7',
        leaseDurationSeconds: 300,
        acquireTime: '2026-11-29T10:00:00.000000Z',
        renewTime: '2026-11-29T10:00:01.500000Z',
      },
    });
  });

  it('carries the CI job, the takeover, the transition count and the resourceVersion when given', () => {
    const lease = buildLease(
      { ...identity, ciJobUrl: 'https://github.com/a/b/actions/runs/1', leaseSeconds: 60 },
      { acquireMs: t0, renewMs: t0 },
      { resourceVersion: '42', takenOverFrom: 'old@host pid 1', transitions: 3 },
    );
    expect(lease.metadata.resourceVersion).toBe('42');
    expect(lease.metadata.annotations).toMatchObject({
      [LEASE_ANNOTATIONS.ciJobUrl]: 'https://github.com/a/b/actions/runs/1',
      [LEASE_ANNOTATIONS.takenOverFrom]: 'old@host pid 1',
    });
    expect(lease.spec).toMatchObject({ leaseDurationSeconds: 60, leaseTransitions: 3 });
  });

  it('uses annotation keys Kubernetes accepts (prefix/name)', () => {
    for (const key of Object.values(LEASE_ANNOTATIONS)) {
      expect(key).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
    }
  });
});
