import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map';

describe('BoundedMap', () => {
  it('keeps at most its capacity, dropping the oldest first', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    expect(map.size).toBe(2);
    expect(map.has('a')).toBe(false);
    expect(map.get('b')).toBe(2);
    expect(map.get('c')).toBe(3);
  });

  it('tells a stored null from a missing key, and forgets on delete and clear', () => {
    const map = new BoundedMap<string, number | null>(3);
    map.set('none', null);
    expect(map.get('none')).toBeNull();
    expect(map.get('other')).toBeUndefined();
    map.set('x', 1);
    map.delete('x');
    expect(map.has('x')).toBe(false);
    map.clear();
    expect(map.size).toBe(0);
  });

  it('replacing a value does not grow it', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('a', 2);
    map.set('b', 3);
    expect(map.size).toBe(2);
    expect(map.get('a')).toBe(2);
  });
});

describe('BoundedMap with weights', () => {
  it('counts each entry by its weight, dropping the oldest until the rest fit', () => {
    const map = new BoundedMap<string, string>(10);
    map.set('a', 'four', 4);
    map.set('b', 'four', 4);
    map.set('c', 'five', 5);
    expect(map.has('a')).toBe(false);
    expect(map.weight).toBe(9);
    map.set('b', 'one', 1);
    expect(map.weight).toBe(6);
    // An entry heavier than the whole capacity is kept alone.
    map.set('d', 'huge', 20);
    expect([map.has('b'), map.has('c'), map.get('d')]).toEqual([false, false, 'huge']);
    map.delete('d');
    expect(map.weight).toBe(0);
  });
});
