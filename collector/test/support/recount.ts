/** Figures recounted from exported events with plain code, to check the statistics against. */
type Exported = Record<string, any>;

/** The funnel by its definition, from the events: first step 1 in the range, then each next step at or after the one before, within the window. */
export function funnelOf(events: Exported[], steps: string[], windowMs: number, from: number, to: number): string[][] {
  const name = (e: Exported) => (e.type === 'page' ? '$page' : e.type === 'identify' ? '$identify' : e.event);
  const byPerson = new Map<string, Exported[]>();
  for (const e of events) byPerson.set(e.profileId, [...(byPerson.get(e.profileId) ?? []), e]);
  const reached: string[][] = steps.map(() => []);
  for (const [person, list] of byPerson) {
    const times = (step: string) =>
      list
        .filter((e) => name(e) === step)
        .map((e) => Date.parse(e.timestamp))
        .sort((a, b) => a - b);
    const t1 = times(steps[0]!).find((t) => t >= from && t < to);
    if (t1 === undefined) continue;
    reached[0]!.push(person);
    let t = t1;
    for (let k = 1; k < steps.length; k++) {
      const next = times(steps[k]!).find((x) => x >= t);
      if (next === undefined || next > t1 + windowMs) break;
      reached[k]!.push(person);
      t = next;
    }
  }
  return reached.map((people) => people.sort());
}
