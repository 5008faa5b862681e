import { formatCommand, type Command } from '../command.js';
import { printable } from '../errors.js';
import type { FleetPlan } from './fleet.js';
import { renderPlan, type RenderedPlan } from './render.js';

const oneLine = (text: string) => printable(text).replace(/[\n\u2028\u2029]/g, '?');

/**
 * The fleet's audit: the lock, then every cluster's own plan (the same renderer as `cluster`), wave by
 * wave, in the order the executor starts them. The dry run journals every write shown as skipped.
 */
export function renderFleetPlan(plan: FleetPlan): RenderedPlan {
  const lines: string[] = [];
  const writes: Command[] = [];
  const o = plan.options;
  const comment = (text: string) => lines.push(`# ${oneLine(text)}`);
  const command = (c: Command) => {
    lines.push(`${c.kind === 'read' ? '$' : '!'} ${oneLine(formatCommand(c.argv))}`);
    if (c.kind !== 'read') writes.push(c);
  };
  comment(`Fleet plan: workload clusters of ${plan.management.name} (EKS-A ${plan.management.eksaVersion ?? '?'}) to EKS-A ${plan.targetEksaVersion ?? '?'}`);
  comment(
    `${plan.waves.length} wave(s); at most ${o.parallel} upgrade(s) at once; on failure: ${o.onFailure === 'stop' ? 'stop (no new cluster starts; running ones finish)' : 'continue'}` +
      `${o.soakMs > 0 ? `; soak ${Math.round(o.soakMs / 1000)}s after each wave, then every upgraded cluster rechecked` : ''}${o.notAfter ? `; no wave starts after ${o.notAfter}` : ''}`,
  );
  for (const e of plan.entries) {
    if (e.kind === 'skip') comment(`${e.name}: skipped, ${e.reason}`);
    if (e.kind === 'await') comment(`${e.name}: found mid-upgrade; waited for and confirmed, not started again`);
  }
  for (const l of plan.leftOut) comment(`${l.name}: left out, ${l.reason}`);
  if (plan.lock) {
    comment('Take the upgrade lock once for the whole run (renewed throughout)');
    if (plan.lock.forceUnlock) command(plan.lock.forceUnlock.command);
    command(plan.lock.acquire.command);
  }
  if (plan.lock) {
    comment(`Record the fleet state in ConfigMap ${plan.state.namespace}/${plan.state.name} whenever a cluster's state changes`);
    command(plan.state.command);
  } else {
    comment('Nothing to upgrade: no lock is taken and nothing is written');
  }
  for (const e of plan.entries) {
    if (e.kind !== 'await') continue;
    comment(`${e.name}: wait until it is Ready at the target`);
    command(e.confirm.command);
  }
  for (const wave of plan.waves) {
    comment(`Wave ${wave.index}${wave.canary ? ' (canary)' : ''}: ${wave.clusters.join(', ')}`);
    for (const name of wave.clusters) {
      const entry = plan.entries.find((e) => e.name === name);
      if (entry?.kind !== 'upgrade') continue;
      const rendered = renderPlan(entry.plan);
      lines.push(...rendered.text.split('\n'));
      writes.push(...rendered.writes);
    }
    if (o.soakMs > 0) comment(`Soak ${Math.round(o.soakMs / 1000)}s, then recheck every cluster upgraded so far`);
  }
  if (plan.lock) {
    comment('Release the upgrade lock, whatever happened before');
    command(plan.lock.release);
  }
  return { text: lines.join('\n'), writes };
}
