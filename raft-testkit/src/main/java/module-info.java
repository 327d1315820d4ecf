/**
 * raft-testkit: {@code SimCluster} and {@code ClientHistory} ({@code io.raftmanager.testkit}), the
 * linearizability checker and its models ({@code io.raftmanager.testkit.linearizability}), and the storage
 * and transport contract suites to extend ({@code io.raftmanager.testkit.contract}).
 */
module io.raftmanager.testkit {
    requires transitive io.raftmanager;
    // The contract suites are JUnit 5 tests that users extend.
    requires transitive org.junit.jupiter.api;

    exports io.raftmanager.testkit;
    exports io.raftmanager.testkit.contract;
    exports io.raftmanager.testkit.linearizability;

    // JUnit calls the suites' package-private test methods reflectively.
    opens io.raftmanager.testkit.contract to
            org.junit.platform.commons;
}
