package io.raftmanager.core.interaction;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A parsed interaction file. Outside a block, blank lines and {@code #} comments are kept verbatim; any
 * other line is a command, followed by a line {@code ----}, then its output, which ends at the first blank
 * line (or at the end of the file). Output never contains blank lines.
 */
final class Script {
    /** A verbatim line, or a command (with its line number and expected output). */
    record Item(String verbatim, String command, int lineNumber, List<String> expected) {}

    static final String SEPARATOR = "----";

    final List<Item> items;

    private Script(List<Item> items) {
        this.items = items;
    }

    static Script parse(String text) {
        List<String> lines = text.lines().toList();
        List<Item> items = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                items.add(new Item(line, null, i + 1, List.of()));
                i++;
                continue;
            }
            int commandLine = i + 1;
            if (i + 1 >= lines.size() || !lines.get(i + 1).equals(SEPARATOR)) {
                throw new ScriptException(
                        "line " + commandLine + ": command '" + line + "' not followed by " + SEPARATOR);
            }
            i += 2;
            List<String> expected = new ArrayList<>();
            while (i < lines.size() && !lines.get(i).isBlank()) {
                expected.add(lines.get(i));
                i++;
            }
            i++; // the blank line ending the block
            items.add(new Item(null, line, commandLine, expected));
        }
        return new Script(items);
    }

    /** Renders the script with each command's output produced by {@code run}. */
    String render(Function<Item, List<String>> run) {
        StringBuilder sb = new StringBuilder();
        for (Item item : items) {
            if (item.command() == null) {
                sb.append(item.verbatim()).append('\n');
                continue;
            }
            sb.append(item.command()).append('\n').append(SEPARATOR).append('\n');
            for (String out : run.apply(item)) {
                sb.append(out).append('\n');
            }
            sb.append('\n');
        }
        return sb.toString().stripTrailing() + "\n";
    }
}
