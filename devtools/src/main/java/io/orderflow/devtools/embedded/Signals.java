package io.orderflow.devtools.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Sends a POSIX signal to a process with the system's {@code kill}, as an operator would. */
public final class Signals {
    private Signals() {
    }

    /**
     * Sends {@code SIG<signal>} ({@code STOP}, {@code CONT}, {@code QUIT}, …) to process {@code pid}.
     *
     * @throws IllegalStateException if {@code kill} fails (no such process)
     */
    public static void send(long pid, String signal) throws InterruptedException {
        try {
            int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " exited with " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send SIG" + signal + " to process " + pid, e);
        }
    }
}
