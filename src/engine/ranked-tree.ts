// An order-statistic B+tree of (score, member) pairs: the ordered half of a sorted set.
//
// Why not Redis's skip list: in a JS heap every skip-list level is a pointer to another
// object, so a search in a large set is dozens of cache misses (ZADD into a 100k-member set
// took 7.6 µs). Here a search reads a few wide nodes whose scores sit in contiguous arrays:
// O(log n) with a height of 3-4 for a million members.
//
// Leaves hold sorted parallel arrays of scores and members and are chained both ways for range
// walks. A branch holds its children, the number of pairs under each (for ranks), and for each
// child but the first a separator: a lower bound of that child's pairs that is above every
// pair of the child before it. Deletions may leave a separator below its child's true minimum,
// which keeps it a valid bound; every search here relies only on that.
//
// The shape depends only on the sequence of operations (no randomness): replicas applying the
// same log build the same tree, and no answer depends on the shape anyway.

import assert from 'node:assert/strict';

/** Pairs per node at most; a split makes two halves, a merge happens at a quarter. */
const NODE_MAX = 64;
const NODE_MIN = NODE_MAX / 4;

class Leaf {
  readonly scores: number[] = [];
  readonly members: string[] = [];
  prev: Leaf | null = null;
  next: Leaf | null = null;

  get size(): number {
    return this.scores.length;
  }
}

class Branch {
  readonly children: TreeNode[] = [];
  /** Pairs under each child. */
  readonly sizes: number[] = [];
  /** separatorScores[i] / separatorMembers[i] bound child i from below; index 0 is unused. */
  readonly separatorScores: number[] = [];
  readonly separatorMembers: string[] = [];
  size = 0;
}

type TreeNode = Leaf | Branch;

/** (score, member) order: Redis compares members by bytes, as latin1 JS strings do. */
function less(scoreA: number, memberA: string, scoreB: number, memberB: string): boolean {
  return scoreA < scoreB || (scoreA === scoreB && memberA < memberB);
}

/** The child of `branch` whose range holds (score, member). */
function childFor(branch: Branch, score: number, member: string): number {
  let low = 1;
  let high = branch.children.length - 1;
  let found = 0;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (less(score, member, branch.separatorScores[mid], branch.separatorMembers[mid])) high = mid - 1;
    else {
      found = mid;
      low = mid + 1;
    }
  }
  return found;
}

/** The first index of `leaf` whose pair is not below (score, member). */
function lowerBound(leaf: Leaf, score: number, member: string): number {
  let low = 0;
  let high = leaf.size;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (less(leaf.scores[mid], leaf.members[mid], score, member)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Array insertion without splice's allocation of a result array (nodes are at most NODE_MAX + 1 wide). */
function insertAt<T>(items: T[], at: number, item: T): void {
  for (let i = items.length; i > at; i--) items[i] = items[i - 1];
  items[at] = item;
}

function removeAt<T>(items: T[], at: number): void {
  for (let i = at; i < items.length - 1; i++) items[i] = items[i + 1];
  items.pop();
}

/** A position in the tree: a leaf and an index into it. */
interface Cursor {
  leaf: Leaf | null;
  index: number;
}

export class RankedTree {
  private root: TreeNode = new Leaf();

  get size(): number {
    return this.root.size;
  }

  insert(score: number, member: string): void {
    const sibling = this.insertInto(this.root, score, member);
    if (sibling === undefined) return;
    const root = new Branch();
    root.size = this.root.size + sibling.size;
    this.adopt(root, 0, this.root);
    this.adopt(root, 1, sibling);
    this.root = root;
  }

  /** Removes a pair that must be present. */
  remove(score: number, member: string): void {
    this.removeFrom(this.root, score, member);
    while (this.root instanceof Branch && this.root.children.length <= 1) this.root = this.root.children[0] ?? new Leaf();
  }

  /** 0-based rank of a pair that must be present. */
  rank(score: number, member: string): number {
    let rank = 0;
    let node = this.root;
    while (node instanceof Branch) {
      const child = childFor(node, score, member);
      for (let i = 0; i < child; i++) rank += node.sizes[i];
      node = node.children[child];
    }
    const index = lowerBound(node, score, member);
    assert.ok(index < node.size && node.scores[index] === score && node.members[index] === member, 'ranked pair is present');
    return rank + index;
  }

  /**
   * The rank of the first pair for which `reached` holds, or size if none. `reached` must be
   * monotonic along the order (false, ..., false, true, ..., true).
   */
  firstRankWhere(reached: (score: number, member: string) => boolean): number {
    let rank = 0;
    let node = this.root;
    while (node instanceof Branch) {
      // The last child whose lower bound is not reached holds the boundary or ends right at it.
      let child = 0;
      while (child + 1 < node.children.length && !reached(node.separatorScores[child + 1], node.separatorMembers[child + 1])) child++;
      for (let i = 0; i < child; i++) rank += node.sizes[i];
      node = node.children[child];
    }
    let index = 0;
    while (index < node.size && !reached(node.scores[index], node.members[index])) index++;
    return rank + index;
  }

  /** The position of the pair at 0-based `rank`, which must be in range. */
  at(rank: number): Cursor {
    assert.ok(rank >= 0 && rank < this.size, 'rank in range');
    let node = this.root;
    let remaining = rank;
    while (node instanceof Branch) {
      let child = 0;
      while (remaining >= node.sizes[child]) remaining -= node.sizes[child++];
      node = node.children[child];
    }
    return { leaf: node, index: remaining };
  }

  /** Pairs from rank `start` to `end` inclusive (in range), ascending, or descending from `start` counted from the top. */
  range(start: number, end: number, reverse: boolean): Array<[string, number]> {
    const result: Array<[string, number]> = [];
    if (start > end) return result;
    const cursor = this.at(reverse ? this.size - 1 - start : start);
    for (let i = start; i <= end && cursor.leaf !== null; i++) {
      result.push([cursor.leaf.members[cursor.index], cursor.leaf.scores[cursor.index]]);
      if (reverse) this.stepBack(cursor);
      else this.stepForward(cursor);
    }
    return result;
  }

  *entries(): IterableIterator<[string, number]> {
    let leaf: Leaf | null = this.firstLeaf();
    for (; leaf !== null; leaf = leaf.next) {
      for (let i = 0; i < leaf.size; i++) yield [leaf.members[i], leaf.scores[i]];
    }
  }

  private firstLeaf(): Leaf {
    let node = this.root;
    while (node instanceof Branch) node = node.children[0];
    return node;
  }

  private stepForward(cursor: Cursor): void {
    assert.ok(cursor.leaf !== null, 'cursor in the tree');
    if (++cursor.index < cursor.leaf.size) return;
    cursor.leaf = cursor.leaf.next;
    cursor.index = 0;
  }

  private stepBack(cursor: Cursor): void {
    assert.ok(cursor.leaf !== null, 'cursor in the tree');
    if (--cursor.index >= 0) return;
    cursor.leaf = cursor.leaf.prev;
    cursor.index = cursor.leaf === null ? 0 : cursor.leaf.size - 1;
  }

  /** Inserts under `node`; returns the new right sibling when `node` had to split. */
  private insertInto(node: TreeNode, score: number, member: string): TreeNode | undefined {
    if (node instanceof Leaf) {
      const index = lowerBound(node, score, member);
      assert.ok(index === node.size || node.scores[index] !== score || node.members[index] !== member, 'pair inserted twice');
      insertAt(node.scores, index, score);
      insertAt(node.members, index, member);
      return node.size > NODE_MAX ? this.splitLeaf(node) : undefined;
    }
    const child = childFor(node, score, member);
    node.sizes[child]++;
    node.size++;
    const sibling = this.insertInto(node.children[child], score, member);
    if (sibling === undefined) return undefined;
    node.sizes[child] -= sibling.size;
    this.adopt(node, child + 1, sibling);
    return node.children.length > NODE_MAX ? this.splitBranch(node) : undefined;
  }

  /** Puts `child` at position `at` of `branch` with its size and lower bound (the caller keeps `branch.size`). */
  private adopt(branch: Branch, at: number, child: TreeNode): void {
    assert.ok(child.size > 0, 'only non-empty nodes are adopted');
    const [score, member] = this.lowestOf(child);
    insertAt(branch.children, at, child);
    insertAt(branch.sizes, at, child.size);
    insertAt(branch.separatorScores, at, score);
    insertAt(branch.separatorMembers, at, member);
  }

  private lowestOf(node: TreeNode): [number, string] {
    while (node instanceof Branch) node = node.children[0];
    return [node.scores[0], node.members[0]];
  }

  private splitLeaf(leaf: Leaf): Leaf {
    const right = new Leaf();
    const half = leaf.size >> 1;
    right.scores.push(...leaf.scores.splice(half));
    right.members.push(...leaf.members.splice(half));
    right.next = leaf.next;
    if (right.next !== null) right.next.prev = right;
    right.prev = leaf;
    leaf.next = right;
    return right;
  }

  private splitBranch(branch: Branch): Branch {
    const right = new Branch();
    const half = branch.children.length >> 1;
    right.children.push(...branch.children.splice(half));
    right.sizes.push(...branch.sizes.splice(half));
    right.separatorScores.push(...branch.separatorScores.splice(half));
    right.separatorMembers.push(...branch.separatorMembers.splice(half));
    right.size = right.sizes.reduce((sum, size) => sum + size, 0);
    branch.size -= right.size;
    return right;
  }

  private removeFrom(node: TreeNode, score: number, member: string): void {
    if (node instanceof Leaf) {
      const index = lowerBound(node, score, member);
      assert.ok(index < node.size && node.scores[index] === score && node.members[index] === member, 'removed pair is present');
      removeAt(node.scores, index);
      removeAt(node.members, index);
      return;
    }
    const child = childFor(node, score, member);
    node.sizes[child]--;
    node.size--;
    this.removeFrom(node.children[child], score, member);
    this.rebalance(node, child);
  }

  /** After a removal under child `at`: drop it when empty, merge it with a neighbour when small. */
  private rebalance(branch: Branch, at: number): void {
    const child = branch.children[at];
    const width = child instanceof Leaf ? child.size : child.children.length;
    if (width >= NODE_MIN) return;
    if (width === 0) return this.drop(branch, at);
    const left = at > 0 ? at - 1 : at;
    if (left + 1 >= branch.children.length) return;
    const a = branch.children[left];
    const b = branch.children[left + 1];
    const combined = a instanceof Leaf ? a.size + (b as Leaf).size : a.children.length + (b as Branch).children.length;
    if (combined > NODE_MAX) return;
    if (a instanceof Leaf) this.mergeLeaves(a, b as Leaf);
    else this.mergeBranches(a, b as Branch, branch.separatorScores[left + 1], branch.separatorMembers[left + 1]);
    branch.sizes[left] += branch.sizes[left + 1];
    this.removeChild(branch, left + 1);
  }

  private drop(branch: Branch, at: number): void {
    const child = branch.children[at];
    assert.equal(child.size, 0, 'only empty children are dropped');
    if (child instanceof Leaf) {
      if (child.prev !== null) child.prev.next = child.next;
      if (child.next !== null) child.next.prev = child.prev;
    }
    this.removeChild(branch, at);
  }

  private removeChild(branch: Branch, at: number): void {
    removeAt(branch.children, at);
    removeAt(branch.sizes, at);
    removeAt(branch.separatorScores, at);
    removeAt(branch.separatorMembers, at);
  }

  private mergeLeaves(a: Leaf, b: Leaf): void {
    a.scores.push(...b.scores);
    a.members.push(...b.members);
    a.next = b.next;
    if (a.next !== null) a.next.prev = a;
  }

  /** b's first separator slot is unused; the parent's separator for b bounds b's first child. */
  private mergeBranches(a: Branch, b: Branch, boundScore: number, boundMember: string): void {
    b.separatorScores[0] = boundScore;
    b.separatorMembers[0] = boundMember;
    a.children.push(...b.children);
    a.sizes.push(...b.sizes);
    a.separatorScores.push(...b.separatorScores);
    a.separatorMembers.push(...b.separatorMembers);
    a.size += b.size;
  }
}
