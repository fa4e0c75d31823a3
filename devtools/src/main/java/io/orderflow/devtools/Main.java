package io.orderflow.devtools;

import io.orderflow.devtools.cli.SagaCommand;

/** Entry point of the {@code saga} launcher. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(SagaCommand.execute(args));
    }
}
