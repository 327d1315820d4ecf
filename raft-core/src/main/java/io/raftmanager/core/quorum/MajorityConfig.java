package io.raftmanager.core.quorum;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A set of voters whose decisions need a simple majority. Pure: functions of plain data.
 *
 * <p>An empty configuration has no opinion: it commits everything ({@link Long#MAX_VALUE}) and wins every
 * vote, so that in a {@link JointConfig} only the other half decides.
 */
public final class MajorityConfig {
    private final long[] voters;

    public MajorityConfig(Set<Long> voters) {
        this.voters = voters.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    public Set<Long> voters() {
        return Arrays.stream(voters).boxed().collect(Collectors.toUnmodifiableSet());
    }

    public boolean contains(long id) {
        return Arrays.binarySearch(voters, id) >= 0;
    }

    public boolean isEmpty() {
        return voters.length == 0;
    }

    public int size() {
        return voters.length;
    }

    /** The largest index acknowledged by a majority of the voters. */
    public long committedIndex(AckedIndexer acked) {
        int n = voters.length;
        if (n == 0) {
            return Long.MAX_VALUE;
        }
        long[] idx = new long[n];
        for (int i = 0; i < n; i++) {
            idx[i] = acked.ackedIndex(voters[i]);
        }
        if (n <= 8) {
            insertionSort(idx); // cheaper than Arrays.sort for the usual 3 or 5 voters
        } else {
            Arrays.sort(idx);
        }
        // After sorting ascending, the majority (n/2 + 1 voters) have acknowledged at least idx[n - (n/2+1)].
        return idx[n - (n / 2 + 1)];
    }

    private static void insertionSort(long[] a) {
        for (int i = 1; i < a.length; i++) {
            long v = a[i];
            int j = i - 1;
            while (j >= 0 && a[j] > v) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = v;
        }
    }

    /** Counts votes: {@code votes} maps voter to granted; voters absent from it have not answered. */
    public VoteResult voteResult(Map<Long, Boolean> votes) {
        if (voters.length == 0) {
            return VoteResult.WON;
        }
        int granted = 0;
        int missing = 0;
        for (long v : voters) {
            Boolean b = votes.get(v);
            if (b == null) {
                missing++;
            } else if (b) {
                granted++;
            }
        }
        int quorum = voters.length / 2 + 1;
        if (granted >= quorum) {
            return VoteResult.WON;
        }
        if (granted + missing >= quorum) {
            return VoteResult.PENDING;
        }
        return VoteResult.LOST;
    }

    @Override
    public String toString() {
        return Arrays.toString(voters);
    }
}
