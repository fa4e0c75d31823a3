package io.orderflow.devtools.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A latency distribution as a PNG, drawn the way HdrHistogram's plotter draws one: latency against percentile, the
 * percentile axis logarithmic in 1 / (1 − p) so that 90 %, 99 %, 99.9 % … are equally spaced and the tail is as
 * readable as the median. Plain java.awt, headless.
 */
public final class LatencyPlot {
    public static final int WIDTH = 960;
    public static final int HEIGHT = 600;
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 60;
    private static final int BOTTOM = 70;

    private LatencyPlot() {
    }

    /**
     * Writes the plot of {@code latencyMs} (values in milliseconds) to {@code file}, creating its directory.
     *
     * @param title  the line above the plot
     * @param yLabel what the values are, e.g. "end-to-end latency (ms)"
     */
    public static void write(Histogram latencyMs, String title, String yLabel, Path file) throws IOException {
        writePng(canvas(WIDTH, HEIGHT, g -> draw(g, latencyMs, title, yLabel)), file);
    }

    /** A white, anti-aliased image of {@code width} × {@code height} that {@code draw} paints; headless. */
    static BufferedImage canvas(int width, int height, Consumer<Graphics2D> draw) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            draw.accept(g);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Writes {@code image} to {@code file} as PNG, creating its directory. */
    static void writePng(BufferedImage image, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer available in this JVM");
        }
    }

    private static void draw(Graphics2D g, Histogram h, String title, String yLabel) {
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        long count = h.getTotalCount();
        // Decades on the x axis: enough for the tail the sample can show (1,000 samples say little beyond 99.9 %).
        int decades = (int) Math.max(2, Math.min(6, Math.ceil(Math.log10(Math.max(count, 1)))));
        double yMax = niceCeiling(Math.max(1, h.getMaxValue()));

        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        FontMetrics big = g.getFontMetrics();
        g.setColor(Color.BLACK);
        g.drawString(title, (WIDTH - big.stringWidth(title)) / 2, TOP - 25);

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics small = g.getFontMetrics();
        for (int d = 0; d <= decades; d++) {
            int x = LEFT + plotW * d / decades;
            g.setColor(new Color(225, 225, 225));
            g.drawLine(x, TOP, x, TOP + plotH);
            String label = percentileLabel(d);
            g.setColor(Color.DARK_GRAY);
            g.drawString(label, x - small.stringWidth(label) / 2, TOP + plotH + 18);
        }
        for (int i = 0; i <= 5; i++) {
            int y = TOP + plotH - plotH * i / 5;
            g.setColor(new Color(225, 225, 225));
            g.drawLine(LEFT, y, LEFT + plotW, y);
            String label = String.format(Locale.ROOT, "%,.0f", yMax * i / 5);
            g.setColor(Color.DARK_GRAY);
            g.drawString(label, LEFT - 8 - small.stringWidth(label), y + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotW, plotH);
        String xLabel = "percentile (log scale of 1/(1-p))";
        g.drawString(xLabel, LEFT + (plotW - small.stringWidth(xLabel)) / 2, HEIGHT - 25);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(TOP + (plotH + small.stringWidth(yLabel)) / 2), 25);
        g.setTransform(saved);

        List<double[]> points = points(h, decades);
        if (points.isEmpty()) {
            String none = "no samples";
            g.drawString(none, LEFT + (plotW - small.stringWidth(none)) / 2, TOP + plotH / 2);
            return;
        }
        Path2D.Double line = new Path2D.Double();
        for (int i = 0; i < points.size(); i++) {
            double x = LEFT + plotW * points.get(i)[0] / decades;
            double y = TOP + plotH - plotH * points.get(i)[1] / yMax;
            if (i == 0) {
                line.moveTo(x, y);
            } else {
                line.lineTo(x, y);
            }
        }
        g.setColor(new Color(31, 119, 180));
        g.setStroke(new BasicStroke(2.5f));
        g.draw(line);
        String summary = String.format(Locale.ROOT, "n=%,d  p50=%,d  p99=%,d  p99.9=%,d  max=%,d", count,
                h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9),
                h.getMaxValue());
        g.setColor(Color.DARK_GRAY);
        g.drawString(summary, LEFT + 10, TOP + 18);
    }

    /** (x in decades of 1/(1-p), value) pairs, the last at the maximum. */
    private static List<double[]> points(Histogram h, int decades) {
        List<double[]> points = new ArrayList<>();
        if (h.getTotalCount() == 0) {
            return points;
        }
        for (HistogramIterationValue v : h.percentiles(5)) {
            double p = v.getPercentileLevelIteratedTo() / 100.0;
            double x = p >= 1 ? decades : Math.min(decades, Math.log10(1 / (1 - p)));
            points.add(new double[] {x, h.highestEquivalentValue(v.getValueIteratedTo())});
        }
        points.add(new double[] {decades, h.getMaxValue()});
        return points;
    }

    /** 0 %, 90 %, 99 %, 99.9 % … for decade 0, 1, 2, 3 … */
    static String percentileLabel(int decade) {
        BigDecimal p = BigDecimal.ONE.subtract(BigDecimal.ONE.movePointLeft(decade)).movePointRight(2);
        return (p.signum() == 0 ? "0" : p.stripTrailingZeros().toPlainString()) + "%";
    }

    /** 1, 2 or 5 times a power of ten, at least {@code value}. */
    static double niceCeiling(double value) {
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * power >= value) {
                return step * power;
            }
        }
        return 10 * power;
    }
}
