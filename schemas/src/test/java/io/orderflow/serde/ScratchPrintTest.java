package io.orderflow.serde;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScratchPrintTest {
    @Test
    void print() throws Exception {
        IngressReader r = new IngressReader(new LocalSchemaRegistry());
        for (String s : List.of(
                "{\"type\":\"OrderPlaced\",\"orderId\":\"o1\",\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":\"2\",\"unitPrice\":1}]}",
                "{\"type\":\"OrderPlaced\",\"orderId\":\"o1\",\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":3000000000,\"unitPrice\":1}]}",
                "{\"type\":\"OrderPlaced\",\"orderId\":\"o1\",\"orderId\":\"o1\"}",
                "{\"type\":\"OrderPlaced\",\"orderId\":\"o1\",\n \"customerId\":}",
                "{\"type\":\"OrderPlaced\"} xyz",
                "hello", "   ", "\u0000\u0001")) {
            try { r.orderEvent(s.getBytes(StandardCharsets.UTF_8)); } catch (Exception e) { System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage()); }
        }
        try { r.orderEvent(new byte[] {0, 0, 0, 0, 9, 1}); } catch (Exception e) { System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage()); }
        try (var s = new java.net.ServerSocket(0)) { int p = s.getLocalPort(); s.close();
            try { SchemaRegistry.fromUrl("http://localhost:" + p).schemaById(1); } catch (Exception e) { System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage()); }
        }
        try { SchemaRegistry.fromUrl("http://10.255.255.1:81").schemaById(1); } catch (Exception e) { System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage()); }
        try { SchemaRegistry.fromUrl("http://no-such-host.invalid:81").schemaById(1); } catch (Exception e) { System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage()); }
    }
}
