export type StepStatus = 'ok' | 'skipped' | 'failed';

/** One step of a run as the evidence record keeps it. */
export interface StepRecord {
  readonly name: string;
  readonly status: StepStatus;
  readonly durationMs: number;
  readonly reason?: string;
}

/** A step that has started; `end` closes it once. */
export interface RunningStep {
  end(status: StepStatus, reason?: string): StepRecord;
}

interface Slot {
  readonly name: string;
  readonly startedAt: number;
  record?: StepRecord;
}

function record(name: string, status: StepStatus, durationMs: number, reason: string | undefined): StepRecord {
  const ms = Math.max(0, Math.round(durationMs));
  return reason === undefined ? { name, status, durationMs: ms } : { name, status, durationMs: ms, reason };
}

/**
 * Records every step of a run with its status, duration and reason, in the order they started.
 * A step still running when the record is taken (the run was interrupted or crashed inside it)
 * is reported as failed, so the record never claims a step finished that did not.
 */
export class StepTimer {
  private readonly slots: Slot[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  start(name: string): RunningStep {
    const slot: Slot = { name, startedAt: this.now() };
    this.slots.push(slot);
    return {
      end: (status, reason) => {
        if (slot.record) throw new Error(`internal: step ${name} ended twice`);
        slot.record = record(name, status, this.now() - slot.startedAt, reason);
        return slot.record;
      },
    };
  }

  /** A step that did not run at all, and why (dry run, scope, an earlier failure). */
  skip(name: string, reason: string): StepRecord {
    return this.start(name).end('skipped', reason);
  }

  /** Times `work`: ok when it resolves, failed with the error's message when it throws (rethrown). */
  async time<T>(name: string, work: () => Promise<T>): Promise<T> {
    const step = this.start(name);
    try {
      const value = await work();
      step.end('ok');
      return value;
    } catch (error) {
      step.end('failed', error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  /** Every step so far; one still running counts as failed with `openReason` and its time so far. */
  records(openReason = 'did not finish'): StepRecord[] {
    const at = this.now();
    return this.slots.map((s) => s.record ?? record(s.name, 'failed', at - s.startedAt, openReason));
  }
}
