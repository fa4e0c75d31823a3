package io.orderflow.devtools.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The soak's samples as a PNG: three panels over the run's time — entries per store, RocksDB size per store and
 * changelog size per store — one line per store, so flat lines after the first retention periods show at a glance.
 * Plain java.awt, headless, like {@link LatencyPlot}.
 */
final class SoakPlot {
    static final int WIDTH = 1000;
    static final int PANEL_HEIGHT = 260;
    private static final int LEFT = 100;
    private static final int RIGHT = 190;
    private static final int TOP = 50;
    private static final int GAP = 50;
    private static final Color[] COLORS = {new Color(31, 119, 180), new Color(214, 39, 40),
            new Color(44, 160, 44), new Color(148, 103, 189)};

    private SoakPlot() {
    }

    static void write(List<SoakRunner.Sample> samples, List<String> stores, String title, Path file)
            throws IOException {
        LatencyPlot.writePng(LatencyPlot.canvas(WIDTH, TOP + 3 * (PANEL_HEIGHT + GAP) + 20, g -> {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            g.setColor(Color.BLACK);
            g.drawString(title, (WIDTH - g.getFontMetrics().stringWidth(title)) / 2, 30);
            panel(g, TOP, samples, stores, "entries", SoakRunner.Sample::entries, 1);
            panel(g, TOP + PANEL_HEIGHT + GAP, samples, stores, "RocksDB (MiB)", SoakRunner.Sample::storeBytes,
                    1 << 20);
            panel(g, TOP + 2 * (PANEL_HEIGHT + GAP), samples, stores, "changelog (MiB)",
                    SoakRunner.Sample::changelogBytes, 1 << 20);
        }), file);
    }

    private static void panel(Graphics2D g, int top, List<SoakRunner.Sample> samples, List<String> stores,
                              String label, Function<SoakRunner.Sample, Map<String, Long>> values, double unit) {
        int plotW = WIDTH - LEFT - RIGHT;
        double xMax = LatencyPlot.niceCeiling(Math.max(1, samples.isEmpty() ? 1
                : samples.get(samples.size() - 1).seconds()));
        double yMax = 1;
        for (SoakRunner.Sample s : samples) {
            for (String store : stores) {
                yMax = Math.max(yMax, values.apply(s).get(store) / unit);
            }
        }
        yMax = LatencyPlot.niceCeiling(yMax);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics small = g.getFontMetrics();
        for (int i = 0; i <= 5; i++) {
            int y = top + PANEL_HEIGHT - PANEL_HEIGHT * i / 5;
            int x = LEFT + plotW * i / 5;
            g.setColor(new Color(225, 225, 225));
            g.drawLine(LEFT, y, LEFT + plotW, y);
            g.drawLine(x, top, x, top + PANEL_HEIGHT);
            g.setColor(Color.DARK_GRAY);
            String yText = String.format(Locale.ROOT, unit == 1 ? "%,.0f" : "%,.1f", yMax * i / 5);
            g.drawString(yText, LEFT - 8 - small.stringWidth(yText), y + 4);
            String xText = String.format(Locale.ROOT, "%,.0f s", xMax * i / 5);
            g.drawString(xText, x - small.stringWidth(xText) / 2, top + PANEL_HEIGHT + 16);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, top, plotW, PANEL_HEIGHT);
        g.drawString(label, 10, top - 8);
        for (int i = 0; i < stores.size(); i++) {
            String store = stores.get(i);
            g.setColor(COLORS[i % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            Path2D line = new Path2D.Double();
            boolean first = true;
            for (SoakRunner.Sample s : samples) {
                long v = values.apply(s).get(store);
                if (v < 0) {
                    continue;
                }
                double x = LEFT + plotW * s.seconds() / xMax;
                double y = top + PANEL_HEIGHT - PANEL_HEIGHT * (v / unit) / yMax;
                if (first) {
                    line.moveTo(x, y);
                    first = false;
                } else {
                    line.lineTo(x, y);
                }
            }
            g.draw(line);
            g.setStroke(new BasicStroke(1f));
            int ly = top + 20 + i * 18;
            g.fillRect(LEFT + plotW + 12, ly - 9, 12, 10);
            g.setColor(Color.BLACK);
            g.drawString(store, LEFT + plotW + 30, ly);
        }
    }
}
