package io.raftmanager.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The bench's results: per-second throughput and latency, the final percentiles, an HdrHistogram
 * {@code .hgrm} file and a self-contained HTML page with inline SVG charts (no scripts).
 */
final class BenchReport {
    /** One second of the run. Latencies in milliseconds. */
    record Second(double at, double opsPerSec, double p50, double p99, double max, long errors) {}

    private final List<Second> seconds = new ArrayList<>();

    void addSecond(double at, Histogram interval, long errors, double lengthSeconds) {
        double len = lengthSeconds <= 0 ? 1 : lengthSeconds;
        seconds.add(new Second(
                at,
                interval.getTotalCount() / len,
                interval.getValueAtPercentile(50) / 1000.0,
                interval.getValueAtPercentile(99) / 1000.0,
                interval.getMaxValue() / 1000.0,
                errors));
    }

    List<Second> seconds() {
        return seconds;
    }

    String summary(Histogram total, long errors, double elapsedSeconds) {
        return String.format(
                Locale.ROOT,
                "requests %d in %.1f s, errors %d%nthroughput %.0f ops/s%n"
                        + "latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n",
                total.getTotalCount(),
                elapsedSeconds,
                errors,
                total.getTotalCount() / elapsedSeconds,
                total.getValueAtPercentile(50) / 1000.0,
                total.getValueAtPercentile(90) / 1000.0,
                total.getValueAtPercentile(99) / 1000.0,
                total.getValueAtPercentile(99.9) / 1000.0,
                total.getMaxValue() / 1000.0);
    }

    /** Writes NAME.hgrm (latencies in ms) and NAME.html; returns both paths. */
    Path[] write(Path dir, String name, Histogram total, String description) {
        try {
            Files.createDirectories(dir);
            Path hgrm = dir.resolve(name + ".hgrm");
            try (PrintStream p = new PrintStream(Files.newOutputStream(hgrm), false, StandardCharsets.UTF_8)) {
                total.outputPercentileDistribution(p, 1000.0);
            }
            Path html = dir.resolve(name + ".html");
            Files.writeString(html, html(total, description), StandardCharsets.UTF_8);
            return new Path[] {hgrm, html};
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the bench report under " + dir, e);
        }
    }

    String html(Histogram total, String description) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>raft-kv bench</title>")
                .append("<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 10px;text-align:right}")
                .append("</style></head><body><h1>raft-kv bench</h1><p>")
                .append(escape(description))
                .append("</p><table><tr><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr><tr>");
        for (double p : new double[] {50, 90, 99, 99.9}) {
            b.append(String.format(Locale.ROOT, "<td>%.3f ms</td>", total.getValueAtPercentile(p) / 1000.0));
        }
        b.append(String.format(Locale.ROOT, "<td>%.3f ms</td></tr></table>", total.getMaxValue() / 1000.0));
        b.append("<h2>Throughput (ops/s)</h2>")
                .append(chart(List.of(series(Second::opsPerSec)), List.of("#1f77b4"), List.of("ops/s")));
        b.append("<h2>Latency (ms)</h2>")
                .append(chart(
                        List.of(series(Second::p50), series(Second::p99)),
                        List.of("#2ca02c", "#d62728"),
                        List.of("p50", "p99")));
        b.append("</body></html>\n");
        return b.toString();
    }

    private double[] series(java.util.function.ToDoubleFunction<Second> f) {
        return seconds.stream().mapToDouble(f).toArray();
    }

    /** A line chart of one or more series against time, as inline SVG. */
    private String chart(List<double[]> series, List<String> colors, List<String> names) {
        int w = 720;
        int h = 240;
        int pad = 50;
        double maxX = seconds.isEmpty()
                ? 1
                : Math.max(1, seconds.get(seconds.size() - 1).at());
        double maxY = 0;
        for (double[] s : series) {
            for (double v : s) {
                maxY = Math.max(maxY, v);
            }
        }
        maxY = maxY <= 0 ? 1 : maxY * 1.1;
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">", w, h));
        b.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>",
                pad,
                h - pad,
                w - 10,
                h - pad,
                pad,
                10,
                pad,
                h - pad));
        b.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"20\" font-size=\"11\">%.1f</text>", maxY));
        b.append(String.format(
                Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%.0f s</text>", w - 50, h - pad + 15, maxX));
        for (int i = 0; i < series.size(); i++) {
            double[] s = series.get(i);
            StringBuilder points = new StringBuilder();
            for (int j = 0; j < s.length; j++) {
                double x = pad + (w - pad - 10) * seconds.get(j).at() / maxX;
                double y = (h - pad) - (h - pad - 10) * s[j] / maxY;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            b.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"")
                    .append(colors.get(i))
                    .append("\" points=\"")
                    .append(points.toString().trim())
                    .append("\"/>");
            b.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"%s\">%s</text>",
                    pad + 10 + 60 * i,
                    h - 15,
                    colors.get(i),
                    names.get(i)));
        }
        return b.append("</svg>").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
