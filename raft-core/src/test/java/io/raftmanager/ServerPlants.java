package io.raftmanager;

/** Test-only switches that break a {@link RaftServer} on purpose, to show the simulator catches it. */
public final class ServerPlants {
    private ServerPlants() {}

    /** The server never wakes the groups quiesced under a server it suspects dead. */
    public static void ignoreSuspectedServers(RaftServer server) {
        server.plantedIgnoreSuspects = true;
    }

    /** Whether group {@code groupId} is quiesced on {@code server}. */
    public static boolean quiesced(RaftServer server, long groupId) {
        return ((HostedGroup) server.group(groupId)).runtime().quiesced();
    }
}
