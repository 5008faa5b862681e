// The confirmation's progress line (issue 17, item 2): what each poll saw, the same line for the same state.
import { describe, expect, it } from 'vitest';
import { describePoll, type ConfirmResult } from '../../src/confirm/poll.js';

const cluster = (over: Partial<ConfirmResult['clusters'][number]> = {}): ConfirmResult['clusters'][number] => ({
  name: 'mgmt', found: true, ready: false, generation: 3, observedGeneration: 2, kubernetesVersion: '1.31', eksaVersion: 'v0.23.0',
  conditions: [{ type: 'Ready', status: 'False', reason: 'RollingUpgradeInProgress', message: '1 of 3' }], failureMessage: undefined, consecutiveReady: 0, ...over,
});

describe('describePoll', () => {
  it('names Ready, the observed generation and the versions of each cluster', () => {
    expect(describePoll({ confirmed: false, clusters: [cluster()], polls: 4, durationMs: 40_000 })).toBe(
      'mgmt: Ready False (RollingUpgradeInProgress), observed generation 2 of 3, Kubernetes 1.31, EKS-A v0.23.0',
    );
  });

  it('counts ready polls, says when the cluster is missing or the read failed, and leaves time out', () => {
    const ready = cluster({ ready: true, observedGeneration: 3, kubernetesVersion: '1.32', conditions: [{ type: 'Ready', status: 'True' }], consecutiveReady: 2 });
    const line = describePoll({ confirmed: false, clusters: [ready, cluster({ name: 'w01', found: false })], polls: 9, durationMs: 1, lastError: 'connection refused' });
    expect(line).toBe('mgmt: Ready True, observed generation 3 of 3, Kubernetes 1.32, EKS-A v0.23.0, ready 2 of 3 polls; w01: not found; the last read failed: connection refused');
    expect(describePoll({ confirmed: false, clusters: [cluster()], polls: 1, durationMs: 5 })).toBe(describePoll({ confirmed: false, clusters: [cluster()], polls: 7, durationMs: 70_000 }));
  });
});
