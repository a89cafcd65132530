package io.opampfleet.server.configs.diff;

/**
 * Myers' O(ND) difference algorithm in its linear-space form: search from both corners of the edit
 * graph at once until the two frontiers meet, split the problem at the meeting point, recurse.
 * The result is which lines of each side are not part of the longest common subsequence.
 */
final class MyersSearch {
  private final int[] a;
  private final int[] b;
  private final boolean[] removed;
  private final boolean[] added;
  // Furthest x reached per diagonal k = x - y; indexed by k + offset so that k may be negative.
  private final int[] forward;
  private final int[] backward;
  private final int offset;
  private int midX;
  private int midY;

  private MyersSearch(int[] a, int[] b) {
    this.a = a;
    this.b = b;
    this.removed = new boolean[a.length];
    this.added = new boolean[b.length];
    // Diagonals run from -b.length to a.length, plus one sentinel slot on each side.
    this.offset = b.length + 1;
    this.forward = new int[a.length + b.length + 3];
    this.backward = new int[a.length + b.length + 3];
  }

  /** Marks, for sequences of interned line ids, the old lines to remove and the new lines to add. */
  static MyersSearch run(int[] a, int[] b) {
    MyersSearch search = new MyersSearch(a, b);
    search.compare(0, a.length, 0, b.length);
    return search;
  }

  boolean removed(int oldIndex) {
    return removed[oldIndex];
  }

  boolean added(int newIndex) {
    return added[newIndex];
  }

  private void compare(int aLo, int aHi, int bLo, int bHi) {
    // Config versions mostly share long heads and tails; stripping them first keeps D small.
    while (aLo < aHi && bLo < bHi && a[aLo] == b[bLo]) {
      aLo++;
      bLo++;
    }
    while (aLo < aHi && bLo < bHi && a[aHi - 1] == b[bHi - 1]) {
      aHi--;
      bHi--;
    }
    if (aLo == aHi) {
      for (int y = bLo; y < bHi; y++) {
        added[y] = true;
      }
    } else if (bLo == bHi) {
      for (int x = aLo; x < aHi; x++) {
        removed[x] = true;
      }
    } else {
      // After the trim the distance is at least 2, so both halves are strictly cheaper: recursion ends.
      findMiddle(aLo, aHi, bLo, bHi);
      int x = midX;
      int y = midY;
      compare(aLo, x, bLo, y);
      compare(x, aHi, y, bHi);
    }
  }

  /**
   * Finds a point on some shortest edit path through the box [aLo,aHi) x [bLo,bHi), roughly halfway
   * along it in edit count. Both searches only visit diagonals that cross the box; the slot just
   * outside the visited range holds a sentinel that never wins the "furthest" comparison.
   */
  private void findMiddle(int aLo, int aHi, int bLo, int bHi) {
    int minDiagonal = aLo - bHi;
    int maxDiagonal = aHi - bLo;
    int forwardStart = aLo - bLo;
    int backwardStart = aHi - bHi;
    // With an odd delta the two frontiers can only meet on a forward step, with an even one on a
    // backward step; checking only there is what makes the found point lie on a shortest path.
    boolean odd = ((forwardStart - backwardStart) & 1) != 0;
    int fLo = forwardStart;
    int fHi = forwardStart;
    int bkLo = backwardStart;
    int bkHi = backwardStart;
    forward[forwardStart + offset] = aLo;
    backward[backwardStart + offset] = aHi;
    while (true) {
      if (fLo > minDiagonal) {
        forward[--fLo - 1 + offset] = -1;
      } else {
        fLo++;
      }
      if (fHi < maxDiagonal) {
        forward[++fHi + 1 + offset] = -1;
      } else {
        fHi--;
      }
      for (int k = fHi; k >= fLo; k -= 2) {
        int fromLeft = forward[k - 1 + offset];
        int fromAbove = forward[k + 1 + offset];
        int x = fromLeft < fromAbove ? fromAbove : fromLeft + 1;
        int y = x - k;
        while (x < aHi && y < bHi && a[x] == b[y]) {
          x++;
          y++;
        }
        forward[k + offset] = x;
        if (odd && k >= bkLo && k <= bkHi && backward[k + offset] <= x) {
          meet(x, y, aLo, aHi, bLo, bHi);
          return;
        }
      }

      if (bkLo > minDiagonal) {
        backward[--bkLo - 1 + offset] = Integer.MAX_VALUE;
      } else {
        bkLo++;
      }
      if (bkHi < maxDiagonal) {
        backward[++bkHi + 1 + offset] = Integer.MAX_VALUE;
      } else {
        bkHi--;
      }
      for (int k = bkHi; k >= bkLo; k -= 2) {
        int fromBelow = backward[k - 1 + offset];
        int fromRight = backward[k + 1 + offset];
        int x = fromBelow < fromRight ? fromBelow : fromRight - 1;
        int y = x - k;
        while (x > aLo && y > bLo && a[x - 1] == b[y - 1]) {
          x--;
          y--;
        }
        backward[k + offset] = x;
        if (!odd && k >= fLo && k <= fHi && x <= forward[k + offset]) {
          meet(x, y, aLo, aHi, bLo, bHi);
          return;
        }
      }
    }
  }

  private void meet(int x, int y, int aLo, int aHi, int bLo, int bHi) {
    // Cheap guard: a point outside the box would silently corrupt the script rather than fail.
    if (x < aLo || x > aHi || y < bLo || y > bHi) {
      throw new IllegalStateException("diff search met outside its box at " + x + "," + y);
    }
    midX = x;
    midY = y;
  }
}
