/**
 * The retained messages of each owner's topics (`ovms/<owner>/...`), counted so one owner's clients
 * cannot fill the broker's memory: at most `maxTopics` topics and `maxBytes` bytes (topic and
 * payload) per owner; 0 = no limit. Pure bookkeeping; the broker asks before it retains.
 */
interface OwnerRetained {
  topics: Map<string, number>;
  bytes: number;
}

export class RetainedQuota {
  private readonly owners = new Map<string, OwnerRetained>();

  constructor(
    private readonly maxTopics: number,
    private readonly maxBytes: number,
  ) {}

  /** The owner level of a topic (`ovms/<owner>/...`), or the first level for any other topic. */
  private ownerOf(topic: string): string {
    const [root = '', owner = ''] = topic.split('/', 2);
    return root === 'ovms' ? `ovms/${owner}` : root;
  }

  /**
   * Counts a retained message of `payloadBytes` on `topic` (0 clears the topic) when it fits, and
   * says whether it did. `force` counts it anyway (the server's own messages).
   */
  retain(topic: string, payloadBytes: number, force = false): boolean {
    const key = this.ownerOf(topic);
    let owner = this.owners.get(key);
    const before = owner?.topics.get(topic);
    if (payloadBytes === 0) {
      if (owner && before !== undefined) {
        owner.topics.delete(topic);
        owner.bytes -= before;
        if (owner.topics.size === 0) this.owners.delete(key);
      }
      return true;
    }
    const size = Buffer.byteLength(topic) + payloadBytes;
    const count = (owner?.topics.size ?? 0) + (before === undefined ? 1 : 0);
    const bytes = (owner?.bytes ?? 0) - (before ?? 0) + size;
    const over =
      (this.maxTopics > 0 && count > this.maxTopics) || (this.maxBytes > 0 && bytes > this.maxBytes);
    if (over && !force) return false;
    if (!owner) {
      owner = { topics: new Map(), bytes: 0 };
      this.owners.set(key, owner);
    }
    owner.topics.set(topic, size);
    owner.bytes = bytes;
    return true;
  }

  /** Retained topics counted for the owner of `topic`. */
  countOf(topic: string): number {
    return this.owners.get(this.ownerOf(topic))?.topics.size ?? 0;
  }
}
