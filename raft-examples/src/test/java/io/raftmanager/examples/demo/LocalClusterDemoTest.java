package io.raftmanager.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.raftmanager.examples.RaftKv;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LocalClusterDemoTest {
    @Test
    void demoSurvivesLeaderIsolationAndConverges() {
        // The demo itself checks that every server ends with every acknowledged increment; exit 0 means it did.
        int rc = new CommandLine(new RaftKv()).execute("demo", "--increments", "20");
        assertEquals(0, rc);
    }

    @Test
    void unknownFlagIsAUsageError() {
        assertEquals(2, new CommandLine(new RaftKv()).execute("demo", "--no-such-flag"));
    }
}
