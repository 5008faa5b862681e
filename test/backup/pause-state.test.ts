import { describe, expect, it } from 'vitest';
import { planPauseRestore, type PauseState } from '../../src/backup/pause-state.js';

const state = (cluster: string, eksa: boolean, capi: boolean): PauseState => ({ cluster, eksaNamespace: 'default', capiNamespace: 'eksa-system', eksa, capi });
const kubectl = (args: string[]) => ['kubectl', ...args];

describe('planPauseRestore', () => {
  it('does nothing when every cluster is as recorded', () => {
    expect(planPauseRestore([state('a', false, false), state('b', true, true)], [state('a', false, false), state('b', true, true)], kubectl)).toEqual([]);
  });

  it('unpauses a cluster clusterctl left paused after failing (cluster-api#7407)', () => {
    const [action] = planPauseRestore([state('a', false, false)], [state('a', false, true)], kubectl);
    expect(action).toMatchObject({ cluster: 'a', what: 'capi-spec-paused', before: false, after: true });
    expect(action!.command.argv).toEqual(['kubectl', 'patch', 'clusters.cluster.x-k8s.io', 'a', '-n', 'eksa-system', '--type=merge', '-p', '{"spec":{"paused":null}}']);
    expect(action!.command.kind).toBe('write');
  });

  it('re-pauses a cluster an old clusterctl unpaused (cluster-api#12742), both switches', () => {
    const actions = planPauseRestore([state('b', true, true)], [state('b', false, false)], kubectl);
    expect(actions.map((a) => a.command.argv.slice(1))).toEqual([
      ['patch', 'clusters.cluster.x-k8s.io', 'b', '-n', 'eksa-system', '--type=merge', '-p', '{"spec":{"paused":true}}'],
      ['annotate', 'clusters.v1alpha1.anywhere.eks.amazonaws.com', 'b', '-n', 'default', 'anywhere.eks.amazonaws.com/paused=true', '--overwrite'],
    ]);
  });

  it('removes an EKS-A paused annotation that was not there before', () => {
    const [action] = planPauseRestore([state('c', false, false)], [state('c', true, false)], kubectl);
    expect(action!.command.argv).toContain('anywhere.eks.amazonaws.com/paused-');
  });
});
