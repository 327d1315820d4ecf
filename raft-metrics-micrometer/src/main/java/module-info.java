/** raft-metrics-micrometer: a node's metrics in any Micrometer registry ({@code MicrometerNodeMetrics}). */
// micrometer-core is an automatic module with a stable Automatic-Module-Name; MeterRegistry is in the API.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.raftmanager.metrics.micrometer {
    requires transitive io.raftmanager;
    requires transitive micrometer.core;

    exports io.raftmanager.metrics.micrometer;
}
