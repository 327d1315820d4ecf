package io.raftmanager.examples.jepsen;

import io.raftmanager.examples.jepsen.Op.Kind;
import io.raftmanager.examples.jepsen.Op.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A run's report as one self-contained HTML file: verdict, checks, history summary, nemesis timeline, and
 * throughput and latency over time (inline SVG) with the fault windows shaded. No scripts.
 */
final class Report {
    private static final int W = 1100;
    private static final int H = 220;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;

    private Report() {}

    static void write(Path file, RunResult r) throws IOException {
        Files.writeString(file, html(r), StandardCharsets.UTF_8);
    }

    static String html(RunResult r) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
                .append(esc(r.options().name()))
                .append("</title><style>body{font-family:sans-serif;margin:20px}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top;white-space:pre-wrap}.pass{color:#070}"
                        + ".fail{color:#b00;font-weight:bold}svg{background:#fafafa;border:1px solid #ddd}</style>"
                        + "</head><body>");
        RunOptions o = r.options();
        b.append("<h1>")
                .append(esc(o.name()))
                .append(": <span class=\"")
                .append(r.valid() ? "pass\">VALID" : "fail\">INVALID")
                .append("</span></h1>");
        b.append("<p>seed ")
                .append(o.seed())
                .append(", ")
                .append(o.nodes())
                .append(" nodes, ")
                .append(o.clients())
                .append(" clients, workload ")
                .append(o.workloadMillis() / 1000)
                .append(" s, election timeout ")
                .append(o.electionMillis())
                .append(" ms, heartbeat ")
                .append(o.heartbeatMillis())
                .append(" ms. Rerun: <code>mvn -o -pl raft-examples -am test "
                        + "-Dtest=JepsenTest#replay -Dsurefire.failIfNoSpecifiedTests=false -Djepsen.seed=")
                .append(o.seed())
                .append(" -Djepsen.nodes=")
                .append(o.nodes())
                .append(" -Djepsen.seconds=")
                .append(o.workloadMillis() / 1000)
                .append("</code></p>");

        b.append("<h2>Checks</h2><table><tr><th>check</th><th>verdict</th><th>detail</th></tr>");
        for (Check c : r.checks()) {
            b.append("<tr><td>")
                    .append(esc(c.name()))
                    .append("</td><td class=\"")
                    .append(c.passed() ? "pass\">pass" : "fail\">FAIL")
                    .append("</td><td>")
                    .append(esc(c.detail()))
                    .append("</td></tr>");
        }
        b.append("</table>");

        b.append("<h2>History</h2>").append(historyTable(r.history()));
        b.append("<h2>Throughput and latency</h2>");
        b.append(charts(r));
        b.append("<h2>Nemesis timeline</h2><table><tr><th>start (s)</th><th>end (s)</th><th>fault</th>"
                + "<th>detail</th></tr>");
        for (Fault f : r.faults()) {
            b.append("<tr><td>")
                    .append(secs(f.startNanos() - r.startNanos()))
                    .append("</td><td>")
                    .append(secs(f.endNanos() - r.startNanos()))
                    .append("</td><td>")
                    .append(esc(f.kind()))
                    .append("</td><td>")
                    .append(esc(f.detail()))
                    .append(f.skipped() ? " <i>(skipped)</i>" : "")
                    .append("</td></tr>");
        }
        b.append("</table><p>Full history: <a href=\"history.txt\">history.txt</a>; node logs under "
                + "<code>data/</code>.</p></body></html>\n");
        return b.toString();
    }

    private static String historyTable(List<Op> history) {
        Map<Kind, Map<Outcome, Integer>> counts = new EnumMap<>(Kind.class);
        Map<Kind, Histogram> latency = new EnumMap<>(Kind.class);
        for (Op op : history) {
            counts.computeIfAbsent(op.kind(), k -> new EnumMap<>(Outcome.class)).merge(op.outcome(), 1, Integer::sum);
            if (op.outcome() == Outcome.OK) {
                latency.computeIfAbsent(op.kind(), k -> new Histogram(3))
                        .recordValue(Math.max(1, op.latencyNanos() / 1_000));
            }
        }
        StringBuilder b = new StringBuilder("<table><tr><th>op</th><th>ok</th><th>fail</th><th>unknown</th>"
                + "<th>ok p50 ms</th><th>ok p99 ms</th><th>ok max ms</th></tr>");
        for (Kind k : Kind.values()) {
            Map<Outcome, Integer> c = counts.getOrDefault(k, Map.of());
            Histogram h = latency.get(k);
            b.append("<tr><td>")
                    .append(k)
                    .append("</td><td>")
                    .append(c.getOrDefault(Outcome.OK, 0))
                    .append("</td><td>")
                    .append(c.getOrDefault(Outcome.FAIL, 0))
                    .append("</td><td>")
                    .append(c.getOrDefault(Outcome.UNKNOWN, 0))
                    .append("</td><td>")
                    .append(h == null ? "-" : ms(h.getValueAtPercentile(50)))
                    .append("</td><td>")
                    .append(h == null ? "-" : ms(h.getValueAtPercentile(99)))
                    .append("</td><td>")
                    .append(h == null ? "-" : ms(h.getMaxValue()))
                    .append("</td></tr>");
        }
        return b.append("</table>").toString();
    }

    private static String charts(RunResult r) {
        long span = Math.max(1, r.endNanos() - r.startNanos());
        long bucket = Math.max(1_000_000_000L, span / 300);
        int n = (int) (span / bucket) + 1;
        double[] ok = new double[n];
        double[] fail = new double[n];
        double[] unknown = new double[n];
        Histogram[] lat = new Histogram[n];
        for (Op op : r.history()) {
            int i = (int) Math.min(n - 1, Math.max(0, (op.completeNanos() - r.startNanos()) / bucket));
            double per = 1e9 / bucket;
            switch (op.outcome()) {
                case OK -> {
                    ok[i] += per;
                    if (lat[i] == null) {
                        lat[i] = new Histogram(3);
                    }
                    lat[i].recordValue(Math.max(1, op.latencyNanos() / 1_000));
                }
                case FAIL -> fail[i] += per;
                case UNKNOWN -> unknown[i] += per;
            }
        }
        double[] p50 = new double[n];
        double[] p99 = new double[n];
        for (int i = 0; i < n; i++) {
            p50[i] = lat[i] == null ? Double.NaN : lat[i].getValueAtPercentile(50) / 1000.0;
            p99[i] = lat[i] == null ? Double.NaN : lat[i].getValueAtPercentile(99) / 1000.0;
        }
        double maxRate = 1;
        for (int i = 0; i < n; i++) {
            maxRate = Math.max(maxRate, Math.max(ok[i], Math.max(fail[i], unknown[i])));
        }
        StringBuilder b = new StringBuilder();
        b.append("<p>ops/s per ")
                .append(bucket / 1_000_000)
                .append(" ms bucket: <span style=\"color:#2a2\">ok</span>, "
                        + "<span style=\"color:#e80\">fail</span>, <span style=\"color:#d00\">unknown</span>; "
                        + "shaded: faults (hover for detail).</p>");
        b.append(svgStart(r, span, "ops/s"));
        b.append(axis(maxRate, false));
        b.append(line(ok, maxRate, false, "#2a2"))
                .append(line(fail, maxRate, false, "#e80"))
                .append(line(unknown, maxRate, false, "#d00"));
        b.append(timeAxis(span)).append("</svg>");
        b.append("<p>latency of ok ops (ms, log scale): <span style=\"color:#26c\">p50</span>, "
                + "<span style=\"color:#a3c\">p99</span></p>");
        double maxLat = 10;
        for (int i = 0; i < n; i++) {
            if (!Double.isNaN(p99[i])) {
                maxLat = Math.max(maxLat, p99[i]);
            }
        }
        b.append(svgStart(r, span, "ms"));
        b.append(axis(maxLat, true));
        b.append(line(p50, maxLat, true, "#26c")).append(line(p99, maxLat, true, "#a3c"));
        b.append(timeAxis(span)).append("</svg>");
        return b.toString();
    }

    private static String svgStart(RunResult r, long span, String unit) {
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(W)
                .append("\" height=\"")
                .append(H + 30)
                .append("\">");
        for (Fault f : r.faults()) {
            if (f.skipped()) {
                continue;
            }
            double x0 = x(f.startNanos() - r.startNanos(), span);
            double x1 = Math.max(x0 + 2, x(f.endNanos() - r.startNanos(), span));
            b.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"%d\" fill=\"%s\" fill-opacity=\"0.25\">"
                            + "<title>%s: %s</title></rect>",
                    x0,
                    x1 - x0,
                    H,
                    color(f.kind()),
                    esc(f.kind()),
                    esc(f.detail())));
            if (x1 - x0 >= 40) { // no room for a label in a narrow window (long runs)
                b.append(String.format(
                        Locale.ROOT,
                        "<text x=\"%.1f\" y=\"10\" font-size=\"9\" fill=\"#555\">%s</text>",
                        x0 + 1,
                        esc(shortName(f.kind()))));
            }
        }
        b.append("<text x=\"2\" y=\"")
                .append(H / 2)
                .append("\" font-size=\"10\">")
                .append(unit)
                .append("</text>");
        return b.toString();
    }

    private static String axis(double max, boolean log) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i <= 4; i++) {
            double frac = i / 4.0;
            double value = log ? Math.pow(10, Math.log10(max) * frac) : max * frac;
            double y = H - frac * (H - 15);
            b.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" font-size=\"9\" text-anchor=\"end\">%.0f</text>",
                    LEFT,
                    W - RIGHT,
                    y,
                    y,
                    LEFT - 3,
                    y + 3,
                    value));
        }
        return b.toString();
    }

    private static String line(double[] values, double max, boolean log, String color) {
        StringBuilder pts = new StringBuilder();
        StringBuilder b = new StringBuilder();
        int n = values.length;
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(values[i])) {
                flush(b, pts, color);
                continue;
            }
            double frac = log ? Math.log10(Math.max(1, values[i])) / Math.log10(max) : values[i] / max;
            double xx = LEFT + (W - LEFT - RIGHT) * (i + 0.5) / n;
            double yy = H - frac * (H - 15);
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", xx, yy));
        }
        flush(b, pts, color);
        return b.toString();
    }

    private static void flush(StringBuilder b, StringBuilder pts, String color) {
        if (pts.length() > 0) {
            b.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"")
                    .append(color)
                    .append("\" points=\"")
                    .append(pts)
                    .append("\"/>");
            pts.setLength(0);
        }
    }

    private static String timeAxis(long span) {
        StringBuilder b = new StringBuilder();
        long seconds = span / 1_000_000_000L;
        long step = Math.max(5, (seconds / 10 + 4) / 5 * 5);
        for (long s = 0; s <= seconds; s += step) {
            double xx = x(s * 1_000_000_000L, span);
            b.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#999\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%ds</text>",
                    xx,
                    xx,
                    H,
                    H + 5,
                    xx,
                    H + 18,
                    s));
        }
        return b.toString();
    }

    private static double x(long nanos, long span) {
        return LEFT + (W - LEFT - RIGHT) * Math.max(0, Math.min(1, nanos / (double) span));
    }

    private static String color(String kind) {
        if (kind.startsWith("KILL")) {
            return "#d33";
        }
        if (kind.startsWith("PAUSE")) {
            return "#c6c";
        }
        if (kind.equals("SLOW_DISK")) {
            return "#963";
        }
        if (kind.startsWith("SLOW")) {
            return "#ea3";
        }
        if (kind.startsWith("TRANSFER") || kind.startsWith("REMOVE")) {
            return "#3a3";
        }
        return "#39f";
    }

    private static String shortName(String kind) {
        return kind.toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static String secs(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }

    private static String ms(long micros) {
        return String.format(Locale.ROOT, "%.1f", micros / 1000.0);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
