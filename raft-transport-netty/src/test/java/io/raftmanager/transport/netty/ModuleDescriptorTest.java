package io.raftmanager.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * raft-transport-netty as a named module, resolved on a module path of its own from the jars these tests
 * run with: raft-core, protobuf, SLF4J and the Netty modules it declares. The tests run on the class path
 * (see the root pom), so this is what checks the descriptor.
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
    void resolvesWithItsDeclaredDependenciesAndExportsOnlyItsPackage() throws Exception {
        Path[] path = Stream.of(
                        NettyTransport.class,
                        io.raftmanager.RaftNode.class,
                        com.google.protobuf.ByteString.class,
                        org.slf4j.Logger.class,
                        io.netty.channel.Channel.class,
                        io.netty.buffer.ByteBuf.class,
                        io.netty.handler.codec.ByteToMessageDecoder.class,
                        io.netty.util.ReferenceCounted.class,
                        io.netty.handler.ssl.SslContext.class,
                        io.netty.resolver.AddressResolver.class,
                        io.netty.channel.unix.Socket.class,
                        io.netty.channel.epoll.Epoll.class)
                .map(ModuleDescriptorTest::location)
                .distinct()
                .toArray(Path[]::new);
        Configuration cf = ModuleLayer.boot()
                .configuration()
                .resolve(ModuleFinder.of(path), ModuleFinder.of(), Set.of("io.raftmanager.transport.netty"));
        ModuleDescriptor d = cf.findModule("io.raftmanager.transport.netty")
                .orElseThrow()
                .reference()
                .descriptor();
        assertFalse(d.isAutomatic(), "raft-transport-netty has a module-info");
        assertEquals(
                Set.of("io.raftmanager.transport.netty"),
                d.exports().stream()
                        .map(ModuleDescriptor.Exports::source)
                        .collect(java.util.stream.Collectors.toSet()));
        assertTrue(d.requires().stream()
                .anyMatch(r -> r.name().equals("io.raftmanager")
                        && r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE)));

        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Class<?> transport =
                layer.findLoader("io.raftmanager.transport.netty").loadClass(NettyTransport.class.getName());
        assertEquals("io.raftmanager.transport.netty", transport.getModule().getName());
    }
}
