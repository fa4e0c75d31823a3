package io.orderflow.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaRegistryUrlTest {

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost:8081", "https://registry.example.com/",
        "http://a:8081, http://b:8081"})
    void shouldGiveHttpRegistryWhenUrlIsHttpOrHttps(String url) {
        // When
        try (SchemaRegistry registry = SchemaRegistry.fromUrl(url)) {
            // Then
            assertThat(registry).isInstanceOf(HttpSchemaRegistry.class);
        }
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"localhost:8081", "mock://x", "ftp://host", "http://a:8081,local:", "http://a:8081,", "http://"})
    void shouldRejectSayingWhatIsAcceptedWhenUrlIsNeitherLocalNorHttp(String url) {
        // When / Then
        assertThatThrownBy(() -> SchemaRegistry.fromUrl(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'local:'")
                .hasMessageContaining("http://")
                .hasMessageContaining("https://");
    }
}
