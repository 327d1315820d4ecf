/**
 * raft-core: the Raft node and server API ({@code io.raftmanager}), the storage and transport SPI with the
 * wire types it persists ({@code io.raftmanager.spi}, {@code io.raftmanager.proto}), the runtime's extension
 * points ({@code io.raftmanager.node}: scheduler, workers, metrics) and the in-memory, file and local
 * implementations. The pure Raft core ({@code io.raftmanager.core} and below) is internal and not exported.
 */
// protobuf-java is an automatic module (a stable Automatic-Module-Name, no descriptor); ByteString is in the API.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.raftmanager {
    requires transitive com.google.protobuf;
    requires org.slf4j;

    exports io.raftmanager;
    exports io.raftmanager.node;
    exports io.raftmanager.proto;
    exports io.raftmanager.spi;
    exports io.raftmanager.storage.file;
    exports io.raftmanager.storage.memory;
    exports io.raftmanager.transport.local;
}
