import { readFile } from 'node:fs/promises';
import { CoalescingRunner } from './coalescing-runner.js';
import { writeFileAtomic } from './fs-durable.js';

interface OffsetsFile {
  version: 1;
  /** Group id → partition → next offset to deliver. */
  groups: Record<string, Record<string, number>>;
}

/**
 * The committed offsets of every consumer group of one topic, in one JSON file replaced
 * atomically. Commits update memory at once and reach the disk in coalesced writes:
 * a commit lost in a crash only means that batch is delivered again.
 */
export class OffsetStore {
  private readonly groups = new Map<string, Map<number, number>>();
  private readonly writer = new CoalescingRunner(() => this.write());

  private constructor(private readonly path: string) {}

  static async load(path: string): Promise<OffsetStore> {
    const store = new OffsetStore(path);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return store;
      throw err;
    }
    const file = JSON.parse(text) as OffsetsFile;
    for (const [groupId, partitions] of Object.entries(file.groups)) {
      const offsets = new Map<number, number>();
      for (const [partition, offset] of Object.entries(partitions)) offsets.set(Number(partition), offset);
      store.groups.set(groupId, offsets);
    }
    return store;
  }

  committed(groupId: string, partition: number): number | undefined {
    return this.groups.get(groupId)?.get(partition);
  }

  /** Records the group's next offset for the partition; resolves once it is on disk. */
  commit(groupId: string, partition: number, offset: number): Promise<void> {
    let offsets = this.groups.get(groupId);
    if (!offsets) {
      offsets = new Map();
      this.groups.set(groupId, offsets);
    }
    offsets.set(partition, offset);
    return this.writer.request();
  }

  /** Resolves once every commit made so far is on disk (or failed). */
  settled(): Promise<void> {
    return this.writer.idle();
  }

  private async write(): Promise<void> {
    const file: OffsetsFile = { version: 1, groups: {} };
    for (const [groupId, offsets] of this.groups) file.groups[groupId] = Object.fromEntries(offsets);
    await writeFileAtomic(this.path, JSON.stringify(file));
  }
}
