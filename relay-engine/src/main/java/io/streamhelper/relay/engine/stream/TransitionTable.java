package io.streamhelper.relay.engine.stream;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which state of a state machine may follow which: the one check behind every state change of a
 * stream and of a destination. A change the table does not list is a bug in whoever asked for
 * it, not a situation to cope with, so {@link #check} throws.
 */
public final class TransitionTable<S extends Enum<S>> {
    private final String machine;
    private final Map<S, Set<S>> legal;

    private TransitionTable(String machine, Map<S, Set<S>> legal) {
        this.machine = machine;
        this.legal = legal;
    }

    /** Starts a table for states of this type; {@code machine} names it in the exception ("stream", "destination"). */
    public static <S extends Enum<S>> Builder<S> of(Class<S> type, String machine) {
        return new Builder<>(type, machine);
    }

    public boolean isLegal(S from, S to) {
        return legal.get(from).contains(to);
    }

    /** Throws when the table does not list the change. */
    public void check(S from, S to) {
        if (!isLegal(from, to)) {
            throw new IllegalStateException("illegal " + machine + " transition " + from + " -> " + to);
        }
    }

    public static final class Builder<S extends Enum<S>> {
        private final Class<S> type;
        private final String machine;
        private final Map<S, Set<S>> legal;

        private Builder(Class<S> type, String machine) {
            this.type = Objects.requireNonNull(type, "type");
            this.machine = Objects.requireNonNull(machine, "machine");
            this.legal = new EnumMap<>(type);
        }

        /** The states that may follow {@code from}; none makes it final. */
        @SafeVarargs
        public final Builder<S> allow(S from, S... to) {
            EnumSet<S> next = EnumSet.noneOf(type);
            Collections.addAll(next, to);
            legal.put(from, Collections.unmodifiableSet(next));
            return this;
        }

        /** Every state must have its row, so a state added later cannot be forgotten here. */
        public TransitionTable<S> build() {
            for (S state : type.getEnumConstants()) {
                if (!legal.containsKey(state)) {
                    throw new IllegalStateException("no row for " + machine + " state " + state);
                }
            }
            return new TransitionTable<>(machine, new EnumMap<>(legal));
        }
    }
}
