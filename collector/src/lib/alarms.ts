/**
 * One Durable Object alarm shared by several jobs. An object has a single
 * alarm; each job that needs waking (audience due times, backfills, an
 * outbox hand-off…) says when it next needs to run, the alarm is set to the
 * earliest of them, and when it fires every job whose time has come runs.
 * Each job derives its due time from its own state, so nothing here is
 * persisted: after a restart the next reschedule() finds the same times.
 */

export interface AlarmJob {
  /** Shown in logs when the job fails. */
  name: string;
  /** When the job next needs to run (ms since the epoch), or undefined when it has nothing to do. */
  due(): number | undefined;
  /** Does the job's due work, in a bounded step; its due() then says whether more is left. */
  run(now: number): Promise<void>;
}

/** The part of DurableObjectStorage alarms use. */
export interface AlarmStorage {
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number): Promise<void>;
}

export class Alarms {
  private readonly jobs: AlarmJob[] = [];
  /** The alarm as last set or read; undefined until read. */
  private scheduled: number | null | undefined;
  /** Jobs that threw: not run again before this time (doubling from a second, up to a minute). */
  private readonly backoff = new Map<AlarmJob, { until: number; failures: number }>();

  constructor(
    private readonly storage: AlarmStorage,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  add(job: AlarmJob): void {
    this.jobs.push(job);
  }

  /**
   * Sets the alarm to the earliest due time, unless it is already set no
   * later. Call after anything that may have made a job due sooner. An alarm
   * set earlier than needed simply finds nothing to do and sets the next.
   */
  async reschedule(): Promise<void> {
    let next: number | undefined;
    for (const job of this.jobs) {
      const due = this.dueOf(job);
      if (due !== undefined && (next === undefined || due < next)) next = due;
    }
    if (next === undefined) return;
    if (this.scheduled === undefined) this.scheduled = await this.storage.getAlarm();
    if (this.scheduled !== null && this.scheduled <= next) return;
    this.scheduled = next;
    await this.storage.setAlarm(next);
  }

  /** The object's alarm() handler: runs every job that is due, each on its own, then sets the next alarm. */
  async run(): Promise<void> {
    // The alarm that woke us is spent.
    this.scheduled = null;
    const now = this.clock();
    for (const job of this.jobs) {
      const due = this.dueOf(job);
      if (due === undefined || due > now) continue;
      try {
        await job.run(now);
        this.backoff.delete(job);
      } catch (err) {
        // One failing job must not stop the others, nor wake the object in a tight loop.
        const failures = (this.backoff.get(job)?.failures ?? 0) + 1;
        this.backoff.set(job, { until: this.clock() + Math.min(60_000, 1000 * 2 ** (failures - 1)), failures });
        console.warn(`alarm job ${job.name} failed (${failures}×, retried later): ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    await this.reschedule();
  }

  private dueOf(job: AlarmJob): number | undefined {
    const due = job.due();
    const retry = this.backoff.get(job);
    return due === undefined || !retry ? due : Math.max(due, retry.until);
  }
}
