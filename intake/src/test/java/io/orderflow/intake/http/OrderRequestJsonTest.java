package io.orderflow.intake.http;

import io.orderflow.intake.PlaceOrderRequest;
import io.orderflow.intake.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OrderRequestJsonTest {

    private static PlaceOrderRequest parse(String body) {
        return OrderRequestJson.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldReadOrderWhenBodyFollowsContract() {
        // When
        PlaceOrderRequest request = parse("{\"customerId\":\"c1\",\"currency\":\"EUR\","
                + "\"lines\":[{\"sku\":\"s1\",\"quantity\":2,\"unitPrice\":1250},{\"unitPrice\":0,\"sku\":\"s2\",\"quantity\":1}]}");

        // Then
        assertThat(request).isEqualTo(new PlaceOrderRequest("c1", "EUR", List.of(
                new PlaceOrderRequest.Line("s1", 2, 1250), new PlaceOrderRequest.Line("s2", 1, 0))));
    }

    @Test
    void shouldReadTheNoteWhenTheBodyGivesOne() {
        // When
        PlaceOrderRequest withNote = parse("{\"customerId\":\"c1\",\"currency\":\"EUR\","
                + "\"lines\":[{\"sku\":\"s1\",\"quantity\":1,\"unitPrice\":5}],\"note\":\"Ring twice\\nthen wait\"}");
        PlaceOrderRequest nullNote = parse("{\"customerId\":\"c1\",\"currency\":\"EUR\","
                + "\"lines\":[{\"sku\":\"s1\",\"quantity\":1,\"unitPrice\":5}],\"note\":null}");

        // Then
        assertThat(withNote.note()).isEqualTo("Ring twice\nthen wait");
        assertThat(nullNote.note()).isNull();
    }

    @Test
    void shouldLeaveContentRulesToServiceWhenStructureIsRight() {
        // Given: well-formed, but quantity 0 and a negative price are content problems, judged by the saga's rules
        String body = "{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":0,\"unitPrice\":-1}]}";

        // When / Then
        assertThat(parse(body).lines().get(0)).isEqualTo(new PlaceOrderRequest.Line("s1", 0, -1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "empty body                 | ``                                                                        | request body is empty",
        "blank body                 | `   `                                                                     | request body is blank",
        "not an object              | [1,2]                                                                     | request body must be a JSON object, got an array",
        "malformed                  | `{\"customerId\":\"c1\",`                                                 | malformed JSON",
        "unquoted name              | {customerId:1}                                                            | malformed JSON",
        "trailing content           | `{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[]} {}`             | trailing content",
        "repeated field             | `{\"customerId\":\"c1\",\"customerId\":\"c2\"}`                           | Duplicate field 'customerId'",
        "unknown field              | `{\"customer\":\"c1\"}`                                                   | unknown field 'customer'",
        "missing customerId         | `{\"currency\":\"EUR\",\"lines\":[]}`                                     | missing required field 'customerId'",
        "null currency              | `{\"customerId\":\"c1\",\"currency\":null,\"lines\":[]}`                  | missing required field 'currency'",
        "customerId a number        | `{\"customerId\":7,\"currency\":\"EUR\",\"lines\":[]}`                    | field 'customerId' must be a string, got 7",
        "lines an object            | `{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":{}}`               | field 'lines' must be an array of order lines, got an object",
        "line a string              | `{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[\"s1\"]}`         | field 'lines[0]' must be an object",
        "unknown line field         | `{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"qty\":1,\"unitPrice\":1}]}` | unknown field 'lines[0].qty'",
        "quantity quoted            | `{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":\"2\",\"unitPrice\":1}]}` | field 'lines[0].quantity' must be an integer, got \"2\"",
        "quantity fractional        | `{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":2.5,\"unitPrice\":1}]}` | field 'lines[0].quantity' must be an integer (no fraction or exponent), got 2.5",
        "unitPrice fractional       | `{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":2,\"unitPrice\":12.50}]}` | field 'lines[0].unitPrice' must be an integer (no fraction or exponent)",
        "unitPrice with exponent    | `{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":2,\"unitPrice\":1e3}]}` | field 'lines[0].unitPrice' must be an integer",
        "quantity beyond int        | `{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":3000000000,\"unitPrice\":1}]}` | field 'lines[0].quantity' must be an integer between -2147483648 and 2147483647",
        "unitPrice beyond long      | `{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":1,\"unitPrice\":99999999999999999999}]}` | field 'lines[0].unitPrice' must be an integer between",
        "sku missing                | `{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"quantity\":1,\"unitPrice\":1}]}` | missing required field 'lines[0].sku'",
        "note a number              | `{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[],\"note\":5}`  | field 'note' must be a string or null, got 5",
        "note an object             | `{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[],\"note\":{}}` | field 'note' must be a string or null, got an object",
    })
    void shouldRefuseNamingTheProblemWhenBodyIsNotTheContract(String problem, String body, String message) {
        // When / Then
        assertThatThrownBy(() -> parse(body == null ? "" : body))
                .isInstanceOf(ValidationException.class).hasMessageContaining(message);
    }
}
