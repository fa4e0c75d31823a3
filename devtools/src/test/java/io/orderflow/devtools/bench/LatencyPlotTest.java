package io.orderflow.devtools.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyPlotTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void shouldWriteAPngOfTheExpectedSizeWhenGivenLatencies(@TempDir Path dir) throws Exception {
        // Given a latency distribution with a tail
        Histogram latency = new Histogram(600_000L, 3);
        for (int i = 1; i <= 10_000; i++) {
            latency.recordValue(i % 100 == 0 ? 2_000 + i / 10 : 20 + i % 50);
        }
        Path file = dir.resolve("results/bench-latency.png");

        // When
        LatencyPlot.write(latency, "saga latency", "end-to-end latency (ms)", file);

        // Then the file is a PNG that decodes to the plot's size and shows more than a blank page
        byte[] bytes = Files.readAllBytes(file);
        assertThat(Arrays.copyOf(bytes, PNG_SIGNATURE.length)).isEqualTo(PNG_SIGNATURE);
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(LatencyPlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(LatencyPlot.HEIGHT);
        assertThat(coloured(image)).isGreaterThan(500);
    }

    @Test
    void shouldWriteAPlotSayingSoWhenThereAreNoSamples(@TempDir Path dir) throws Exception {
        // Given
        Path file = dir.resolve("empty.png");

        // When
        LatencyPlot.write(new Histogram(600_000L, 3), "nothing measured", "latency (ms)", file);

        // Then
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).isEqualTo(LatencyPlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(LatencyPlot.HEIGHT);
    }

    @Test
    void shouldLabelEachDecadeOfThePercentileAxisWhenAskedForLabels() {
        assertThat(LatencyPlot.percentileLabel(0)).isEqualTo("0%");
        assertThat(LatencyPlot.percentileLabel(1)).isEqualTo("90%");
        assertThat(LatencyPlot.percentileLabel(2)).isEqualTo("99%");
        assertThat(LatencyPlot.percentileLabel(4)).isEqualTo("99.99%");
        assertThat(LatencyPlot.niceCeiling(730)).isEqualTo(1_000);
        assertThat(LatencyPlot.niceCeiling(130)).isEqualTo(200);
    }

    /** Pixels in the plot's line colour (blue dominant). */
    private static int coloured(BufferedImage image) {
        int n = 0;
        for (int x = 0; x < image.getWidth(); x++) {
            for (int y = 0; y < image.getHeight(); y++) {
                int rgb = image.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int b = rgb & 0xff;
                if (b > 150 && r < 120) {
                    n++;
                }
            }
        }
        return n;
    }
}
