package io.streamhelper.relay.app;

import java.util.ArrayList;
import java.util.List;

/**
 * A test's teardown: closes its peers in the order given, each one even when one before it
 * failed, so that a failing close does not leave an nginx or a relay running for the next test.
 */
final class Closing {
    private Closing() {
    }

    /** Closes {@code first} (in list order), then {@code rest}; nulls (never started) are skipped. Throws the first failure. */
    static void all(List<? extends AutoCloseable> first, AutoCloseable... rest) throws Exception {
        List<AutoCloseable> all = new ArrayList<>(first);
        all.addAll(java.util.Arrays.asList(rest));
        Exception failure = null;
        for (AutoCloseable resource : all) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
