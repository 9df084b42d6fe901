import type { IdKind, IdentityStore } from '../../src/identity/resolve-profile';

/** The identity graph in plain maps, to test the stitching rules on their own. */
export class MemoryIdentityStore implements IdentityStore {
  readonly ids = new Map<string, string>();
  readonly users = new Map<string, string>();
  readonly merges: [string, string][] = [];
  private next = 1;

  profileOf(kind: IdKind, id: string) {
    return this.ids.get(`${kind}:${id}`);
  }
  userOf(profileId: string) {
    return this.users.get(profileId);
  }
  createProfile(_seed: string) {
    return `P${this.next++}`;
  }
  link(kind: IdKind, id: string, profileId: string) {
    this.ids.set(`${kind}:${id}`, profileId);
  }
  setUser(profileId: string, userId: string) {
    this.users.set(profileId, userId);
  }
  merge(from: string, into: string) {
    this.merges.push([from, into]);
    for (const [key, profile] of this.ids) if (profile === from) this.ids.set(key, into);
  }
}
