package io.orderflow.domain;

/** Text as it goes into a message: bounded, so that hostile input can never make a log line or an answer huge. */
public final class Text {
    private Text() {
    }

    /** {@code text} itself when at most {@code max} characters, else its first {@code max - 3} and "...". */
    public static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }
}
