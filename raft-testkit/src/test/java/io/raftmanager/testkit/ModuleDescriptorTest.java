package io.raftmanager.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.RaftNode;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * raft-core and raft-testkit as named modules, resolved from the very jars (or class directories) these
 * tests run with, but on a module path of their own: only their declared dependencies are there, so a
 * missing {@code requires} fails the resolution. The tests themselves run on the class path (see the
 * root pom), so this is what checks the descriptors.
 */
class ModuleDescriptorTest {
    private static final Set<String> CORE_API = Set.of(
            "io.raftmanager",
            "io.raftmanager.node",
            "io.raftmanager.proto",
            "io.raftmanager.spi",
            "io.raftmanager.storage.file",
            "io.raftmanager.storage.memory",
            "io.raftmanager.transport.local");

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static Configuration resolve(String root, Class<?>... fromJars) {
        Path[] paths = new Path[fromJars.length];
        for (int i = 0; i < fromJars.length; i++) {
            paths[i] = location(fromJars[i]);
        }
        return ModuleLayer.boot().configuration().resolve(ModuleFinder.of(paths), ModuleFinder.of(), Set.of(root));
    }

    private static Set<String> unqualifiedExports(ModuleDescriptor d) {
        return d.exports().stream()
                .filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void raftCoreNeedsOnlyProtobufAndSlf4jAndExportsItsApiNotTheCore() {
        Configuration cf = resolve("io.raftmanager", RaftNode.class, ByteString.class, org.slf4j.Logger.class);
        ModuleDescriptor core =
                cf.findModule("io.raftmanager").orElseThrow().reference().descriptor();
        assertFalse(core.isAutomatic(), "raft-core has a module-info");
        assertEquals(
                Set.of("com.google.protobuf", "java.base", "org.slf4j"),
                core.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
        assertEquals(new TreeSet<>(CORE_API), unqualifiedExports(core));
        assertTrue(
                core.exports().stream().noneMatch(ModuleDescriptor.Exports::isQualified),
                core.exports().toString());
        Set<String> hidden = new TreeSet<>(core.packages());
        hidden.removeAll(CORE_API);
        assertFalse(hidden.isEmpty(), "the pure core is in the module");
        assertTrue(
                hidden.stream().allMatch(p -> p.equals("io.raftmanager.core") || p.startsWith("io.raftmanager.core.")),
                "only the pure core is internal: " + hidden);
        // Whoever reads raft-core reads protobuf too: ByteString is in the API.
        assertTrue(core.requires().stream()
                .anyMatch(r -> r.name().equals("com.google.protobuf")
                        && r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE)));
    }

    @Test
    void raftTestkitResolvesWithCoreAndJUnitAndItsTypesLoadInALayer() throws Exception {
        Configuration cf = resolve(
                "io.raftmanager.testkit",
                SimCluster.class,
                RaftNode.class,
                ByteString.class,
                org.slf4j.Logger.class,
                Test.class,
                org.junit.platform.commons.JUnitException.class,
                org.opentest4j.AssertionFailedError.class);
        ResolvedModule testkit = cf.findModule("io.raftmanager.testkit").orElseThrow();
        assertEquals(
                Set.of(
                        "io.raftmanager.testkit",
                        "io.raftmanager.testkit.contract",
                        "io.raftmanager.testkit.linearizability"),
                unqualifiedExports(testkit.reference().descriptor()));
        assertTrue(testkit.reads().stream().anyMatch(m -> m.name().equals("io.raftmanager")));

        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Module core = layer.findModule("io.raftmanager").orElseThrow();
        Module kit = layer.findModule("io.raftmanager.testkit").orElseThrow();
        Class<?> cluster = layer.findLoader("io.raftmanager.testkit").loadClass(SimCluster.class.getName());
        assertEquals(kit, cluster.getModule());
        assertTrue(kit.canRead(core));
        assertTrue(core.isExported("io.raftmanager.spi", kit));
        assertFalse(core.isExported("io.raftmanager.core", kit), "the pure core is internal");
        // JUnit may call the contract suites' package-private test methods.
        Module junit = layer.findModule("org.junit.platform.commons").orElseThrow();
        assertTrue(kit.isOpen("io.raftmanager.testkit.contract", junit));
    }
}
