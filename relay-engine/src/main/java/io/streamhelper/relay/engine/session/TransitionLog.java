package io.streamhelper.relay.engine.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A destination's state changes, bounded however long it flaps: the first {@link #FIRST} (how it
 * began) and the last {@link #LAST} (how it ended), and a count of those dropped between. Owned by
 * the stream's event loop, like the recorder holding it.
 */
final class TransitionLog {
    static final int FIRST = 20;
    static final int LAST = 80;

    private final List<SessionReport.Transition> first = new ArrayList<>(FIRST);
    private final ArrayDeque<SessionReport.Transition> last = new ArrayDeque<>(LAST);
    private long omitted;

    void add(SessionReport.Transition transition) {
        if (first.size() < FIRST) {
            first.add(transition);
            return;
        }
        if (last.size() == LAST) {
            last.removeFirst();
            omitted++;
        }
        last.addLast(transition);
    }

    List<SessionReport.Transition> kept() {
        List<SessionReport.Transition> all = new ArrayList<>(first.size() + last.size());
        all.addAll(first);
        all.addAll(last);
        return all;
    }

    long omitted() {
        return omitted;
    }
}
