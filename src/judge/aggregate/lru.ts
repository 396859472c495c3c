/** A Map bounded to `max` entries: the least recently used is dropped (Map keeps insertion order). */
export class Lru<V> {
  private readonly m = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string, init: () => V): V {
    const v = this.m.get(key);
    if (v !== undefined) {
      this.m.delete(key);
      this.m.set(key, v);
      return v;
    }
    const fresh = init();
    this.m.set(key, fresh);
    if (this.m.size > this.max) {
      const oldest = this.m.keys().next();
      if (!oldest.done) this.m.delete(oldest.value);
    }
    return fresh;
  }
  get size(): number {
    return this.m.size;
  }
}
