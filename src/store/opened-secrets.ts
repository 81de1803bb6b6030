/**
 * Car secrets already opened, by their sealed form: a login opens the vehicle's sealed secret
 * (AES-256-GCM, a cipher context each time), and an app's login reads the vehicle twice (the lookup
 * and the replay), so a reconnecting app or car would open the same value again and again.
 *
 * The key is the sealed text itself, which has a random IV: a secret set again (by this process, the
 * CLI `vehicle passwd` in another process, an import) is stored as a different text and is a miss,
 * so nothing needs invalidating and a changed secret is never answered from here. An entry of a
 * deleted vehicle is only reachable through its old sealed text, which nothing can read any more.
 *
 * Bounded (the least recently used entry goes), so the cache costs at most `capacity` entries of
 * about 150 bytes whatever the number of vehicles. Plain secrets live only in this map and in the
 * vehicles read; they are never logged.
 */
export class OpenedSecrets {
  readonly #entries = new Map<string, string>();

  constructor(private readonly capacity = 4096) {}

  /** The plain secret of `sealed`, opened with `open` unless it was opened recently. */
  get(sealed: string, open: (sealed: string) => string): string {
    const cached = this.#entries.get(sealed);
    if (cached !== undefined) {
      // Most recently used last: the Map iterates in insertion order.
      this.#entries.delete(sealed);
      this.#entries.set(sealed, cached);
      return cached;
    }
    const plain = open(sealed);
    if (this.#entries.size >= this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(sealed, plain);
    return plain;
  }

  get size(): number {
    return this.#entries.size;
  }
}
