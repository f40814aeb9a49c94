import type { Topic } from './topic.js';

/** What the group needs of a member. */
export interface GroupMember {
  /** Stops work on every partition not in `keep` and resolves once that work ended. */
  revokeExcept(keep: ReadonlySet<number>): Promise<void>;
  /** Starts work on the partitions it does not work on yet. */
  assign(partitions: ReadonlySet<number>): void;
}

/**
 * An in-process consumer group of one topic. Partitions are dealt out round-robin over
 * the members in joining order; on every change, partitions that move are first revoked
 * (their batches in progress end, uncommitted) and only then handed to the new owner, so
 * one partition never has two workers.
 */
export class ConsumerGroup {
  private readonly members: GroupMember[] = [];
  private rebalancing: Promise<void> = Promise.resolve();

  constructor(
    readonly topic: Topic,
    readonly groupId: string,
  ) {}

  get empty(): boolean {
    return this.members.length === 0;
  }

  join(member: GroupMember): Promise<void> {
    this.members.push(member);
    return this.rebalance();
  }

  /** Takes every partition from the member, then shares them among the others. */
  leave(member: GroupMember): Promise<void> {
    const index = this.members.indexOf(member);
    if (index >= 0) this.members.splice(index, 1);
    return this.serialize(async () => {
      await member.revokeExcept(new Set());
      await this.assign();
    });
  }

  /** Deals the partitions out again (after a member joined or the topic grew). */
  rebalance(): Promise<void> {
    return this.serialize(() => this.assign());
  }

  private serialize(step: () => Promise<void>): Promise<void> {
    this.rebalancing = this.rebalancing.then(step, step);
    return this.rebalancing;
  }

  private async assign(): Promise<void> {
    const members = [...this.members];
    const shares = members.map(() => new Set<number>());
    for (let partition = 0; partition < this.topic.partitions.length; partition++) {
      shares[partition % members.length]?.add(partition);
    }
    await Promise.all(members.map((member, i) => member.revokeExcept(shares[i] as Set<number>)));
    for (const [i, member] of members.entries()) member.assign(shares[i] as Set<number>);
  }
}
