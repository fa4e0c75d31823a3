package io.orderflow.server.runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Checks that a port is free before anything is started, so a clash is reported in one clear line. */
public final class Ports {
    private Ports() {
    }

    public static void requireFree(int port, String what) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " (" + what + ") is already in use; "
                    + "stop what uses it or choose another port");
        }
    }
}
