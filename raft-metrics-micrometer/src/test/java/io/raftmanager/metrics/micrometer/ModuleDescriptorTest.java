package io.raftmanager.metrics.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * raft-metrics-micrometer as a named module, resolved on a module path of its own from the jars these
 * tests run with (raft-core, protobuf, SLF4J, micrometer-core). The tests run on the class path (see the
 * root pom), so this is what checks the descriptor.
 */
class ModuleDescriptorTest {
    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void resolvesWithCoreAndMicrometerAndExportsOnlyItsPackage() {
        Path[] path = Stream.of(
                        MicrometerNodeMetrics.class,
                        io.raftmanager.RaftNode.class,
                        com.google.protobuf.ByteString.class,
                        org.slf4j.Logger.class,
                        io.micrometer.core.instrument.MeterRegistry.class)
                .map(ModuleDescriptorTest::location)
                .distinct()
                .toArray(Path[]::new);
        Configuration cf = ModuleLayer.boot()
                .configuration()
                .resolve(ModuleFinder.of(path), ModuleFinder.of(), Set.of("io.raftmanager.metrics.micrometer"));
        ModuleDescriptor d = cf.findModule("io.raftmanager.metrics.micrometer")
                .orElseThrow()
                .reference()
                .descriptor();
        assertFalse(d.isAutomatic(), "raft-metrics-micrometer has a module-info");
        assertEquals(
                Set.of("io.raftmanager.metrics.micrometer"),
                d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
        assertEquals(
                Set.of("java.base", "io.raftmanager", "micrometer.core"),
                d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
    }
}
