import { describe, expect, it } from 'vitest';
import { Alarms, type AlarmJob } from './alarms';

function storage() {
  const set: number[] = [];
  let alarm: number | null = null;
  return {
    set,
    getAlarm: async () => alarm,
    setAlarm: async (t: number) => {
      alarm = t;
      set.push(t);
    },
    fire: () => (alarm = null),
  };
}

function job(name: string, dueAt: () => number | undefined, ran: string[], fail = false): AlarmJob {
  return {
    name,
    due: dueAt,
    run: async (now) => {
      ran.push(`${name}@${now}`);
      if (fail) throw new Error('boom');
    },
  };
}

describe('Alarms: one alarm for several jobs', () => {
  it('sets the alarm to the earliest due time and never later than one already set', async () => {
    const store = storage();
    const alarms = new Alarms(store, () => 100);
    let a: number | undefined = 500;
    let b: number | undefined;
    alarms.add(job('a', () => a, []));
    alarms.add(job('b', () => b, []));
    await alarms.reschedule();
    b = 300;
    await alarms.reschedule();
    a = 800;
    await alarms.reschedule();
    expect(store.set).toEqual([500, 300]);
  });

  it('runs only the jobs that are due, then sets the next alarm', async () => {
    const store = storage();
    let now = 1000;
    const ran: string[] = [];
    const alarms = new Alarms(store, () => now);
    let dueA: number | undefined = 900;
    alarms.add({ name: 'a', due: () => dueA, run: async (t) => void (ran.push(`a@${t}`), (dueA = 5000)) });
    alarms.add(job('b', () => 2000, ran));
    store.fire();
    await alarms.run();
    expect(ran).toEqual(['a@1000']);
    expect(store.set.at(-1)).toBe(2000);
    now = 2000;
    store.fire();
    await alarms.run();
    expect(ran).toEqual(['a@1000', 'b@2000']);
  });

  it('keeps running the others when one job throws, and backs the failing one off', async () => {
    const store = storage();
    const ran: string[] = [];
    const alarms = new Alarms(store, () => 1000);
    alarms.add(job('bad', () => 0, ran, true));
    alarms.add(job('good', () => 0, ran));
    await alarms.run();
    expect(ran).toEqual(['bad@1000', 'good@1000']);
    // The good one is due again at once.
    expect(store.set.at(-1)).toBe(0);

    // Alone, the failing job is not run again before a second has passed, then two.
    const alone = storage();
    let now = 1000;
    const tries: string[] = [];
    const backedOff = new Alarms(alone, () => now);
    backedOff.add(job('bad', () => 0, tries, true));
    await backedOff.run();
    expect(alone.set.at(-1)).toBe(2000);
    now = 2000;
    await backedOff.run();
    expect(alone.set.at(-1)).toBe(4000);
    expect(tries).toEqual(['bad@1000', 'bad@2000']);
  });
});
