package io.streamhelper.relay.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves the leak check can fail: a tracked resource dropped without being closed is recorded by
 * the detectors the extension installs (the same path a leaked ByteBuf takes).
 */
class LeakCheckExtensionTest {

    /** A resource type of its own, so this test's detector sees only its own objects. */
    static final class Resource {
    }

    @Test
    void aDroppedResourceIsRecordedAndAClosedOneIsNot() throws Exception {
        ResourceLeakDetector<Resource> detector =
                ResourceLeakDetectorFactory.instance().newResourceLeakDetector(Resource.class, 1);

        Resource kept = new Resource();
        ResourceLeakTracker<Resource> closed = detector.track(kept);
        closed.close(kept);

        trackAndDrop(detector);
        List<String> leaks = new ArrayList<>();
        for (int attempt = 0; attempt < 50 && leaks.isEmpty(); attempt++) {
            System.gc();
            Thread.sleep(20);
            Resource probe = new Resource();
            detector.track(probe).close(probe); // consulting the detector makes it report
            leaks.addAll(LeakCheckExtension.collectLeaks());
        }
        assertFalse(leaks.isEmpty(), "the dropped resource was reported");
        assertTrue(leaks.get(0).startsWith("LEAK: ") && leaks.get(0).contains("Resource"), leaks.get(0));
    }

    private static void trackAndDrop(ResourceLeakDetector<Resource> detector) {
        detector.track(new Resource());
    }
}
