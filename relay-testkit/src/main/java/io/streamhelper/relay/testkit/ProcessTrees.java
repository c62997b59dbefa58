package io.streamhelper.relay.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Ends a peer a test started together with whatever it started, so no test leaves a process behind. */
public final class ProcessTrees {
    private ProcessTrees() {
    }

    /**
     * SIGTERMs the process, which a server such as Xvfb takes as the cue to remove its socket and
     * lock files, and kills it (with its descendants) if it is not gone within {@code seconds}.
     */
    public static void terminate(ProcessHandle root, int seconds) {
        root.destroy();
        try {
            root.onExit().get(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // still running: killed below
        }
        kill(root);
    }

    /** SIGKILLs the process and all its descendants, and waits (up to 10 s) until they are gone. */
    public static void kill(ProcessHandle root) {
        List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
        all.add(0, root);
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // still there after 10 s: nothing more a test can do than SIGKILL
            }
        }
    }
}
