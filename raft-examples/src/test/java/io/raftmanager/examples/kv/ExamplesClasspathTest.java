package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Checks that the examples log through Logback, their single SLF4J provider. */
class ExamplesClasspathTest {

    @Test
    void logbackIsTheSlf4jProvider() {
        assertEquals(
                "ch.qos.logback.classic.LoggerContext",
                LoggerFactory.getILoggerFactory().getClass().getName());
    }
}
