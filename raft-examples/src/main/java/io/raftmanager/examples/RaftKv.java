package io.raftmanager.examples;

import io.raftmanager.examples.demo.LocalClusterDemo;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command-line entry point of the examples jar: one subcommand per tool. */
@Command(
        name = "raft-kv",
        mixinStandardHelpOptions = true,
        description = "raft-manager examples.",
        subcommands = {LocalClusterDemo.class})
public final class RaftKv implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new RaftKv()).execute(args));
    }
}
