package io.raftmanager.examples;

import io.raftmanager.examples.bench.BenchCommand;
import io.raftmanager.examples.cluster.ClusterCommand;
import io.raftmanager.examples.demo.LocalClusterDemo;
import io.raftmanager.examples.kv.NodeCommand;
import io.raftmanager.examples.kv.StartupException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command-line entry point of the examples jar: one subcommand per tool. Mistakes in flags and
 * start-up failures (a busy port, an unusable data directory) print one line and exit non-zero, never
 * a stack trace.
 */
@Command(
        name = "raft-kv",
        mixinStandardHelpOptions = true,
        description = "raft-manager examples: a replicated key-value store with a Redis front end.",
        subcommands = {NodeCommand.class, ClusterCommand.class, BenchCommand.class, LocalClusterDemo.class})
public final class RaftKv implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** A command line with the one-line error handlers; tests use it too. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new RaftKv());
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr()
                    .println("raft-kv: " + ex.getMessage() + " (see '"
                            + c.getCommandSpec().qualifiedName() + " --help')");
            return c.getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            String message = ex instanceof StartupException || ex.getMessage() != null
                    ? ex.getMessage()
                    : ex.getClass().getSimpleName();
            c.getErr().println("raft-kv " + c.getCommandName() + ": " + message.replace('\n', ' '));
            return 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
