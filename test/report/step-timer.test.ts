import { describe, expect, it } from 'vitest';
import { StepTimer } from '../../src/report/step-timer.js';

/** A clock the test moves by hand. */
function manualClock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('StepTimer', () => {
  it('records steps in start order with status, rounded duration and reason', () => {
    const c = manualClock();
    const timer = new StepTimer(c.now);
    const spec = timer.start('spec');
    const tools = timer.start('tools');
    c.advance(10.4);
    tools.end('ok');
    c.advance(5.2);
    spec.end('failed', 'spec: no Cluster document');
    timer.skip('etcd', 'dry run');
    expect(timer.records()).toEqual([
      { name: 'spec', status: 'failed', durationMs: 16, reason: 'spec: no Cluster document' },
      { name: 'tools', status: 'ok', durationMs: 10 },
      { name: 'etcd', status: 'skipped', durationMs: 0, reason: 'dry run' },
    ]);
  });

  it('reports a step still running as failed with the reason given, and its time so far', () => {
    const c = manualClock();
    const timer = new StepTimer(c.now);
    timer.start('lock').end('ok');
    timer.start('capi backup');
    c.advance(2500);
    expect(timer.records('interrupted by SIGTERM').at(-1)).toEqual({ name: 'capi backup', status: 'failed', durationMs: 2500, reason: 'interrupted by SIGTERM' });
    expect(timer.records().at(-1)?.reason).toBe('did not finish');
  });

  it('refuses to end a step twice', () => {
    const step = new StepTimer().start('x');
    step.end('ok');
    expect(() => step.end('failed')).toThrow(/ended twice/);
  });

  it('time(): ok when the work resolves, failed with its message (and rethrown) when it throws', async () => {
    const c = manualClock();
    const timer = new StepTimer(c.now);
    await expect(timer.time('inventory', async () => (c.advance(30), 7))).resolves.toBe(7);
    await expect(
      timer.time('backup', async () => {
        c.advance(40);
        throw new Error('clusterctl move failed');
      }),
    ).rejects.toThrow('clusterctl move failed');
    expect(timer.records()).toEqual([
      { name: 'inventory', status: 'ok', durationMs: 30 },
      { name: 'backup', status: 'failed', durationMs: 40, reason: 'clusterctl move failed' },
    ]);
  });

  it('measures real time by default', async () => {
    const timer = new StepTimer();
    await timer.time('sleep', () => new Promise((resolve) => setTimeout(resolve, 30)));
    const [step] = timer.records();
    expect(step?.durationMs).toBeGreaterThanOrEqual(25);
    expect(step?.durationMs).toBeLessThan(2000);
  });
});
