package io.streamhelper.relay.rtmp.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.streamhelper.relay.rtmp.amf.Amf0Reader;
import io.streamhelper.relay.rtmp.amf.Amf0Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An RTMP command: name, transaction id, then the command object and arguments (AMF0 values).
 * AMF3 command messages (type 17) are read too: they start with one format byte and then carry
 * AMF0 values, which is all real encoders put in them.
 */
public record Command(String name, double transactionId, List<Object> arguments) {

    public Command {
        arguments = List.copyOf(arguments.stream().map(a -> a == null ? NULL : a).toList());
    }

    /** List.copyOf refuses nulls, and AMF null is common: keep it as a sentinel inside. */
    private static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    public static Command of(String name, double transactionId, Object... arguments) {
        return new Command(name, transactionId, Arrays.asList(arguments));
    }

    /** The argument at index, or null when absent or AMF null. */
    public Object argument(int index) {
        if (index >= arguments.size()) {
            return null;
        }
        Object value = arguments.get(index);
        return value == NULL ? null : value;
    }

    /** The argument at index as a string, or null. */
    public String stringArgument(int index) {
        return argument(index) instanceof String s ? s : null;
    }

    /** The argument at index as an AMF object, or an empty map. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> objectArgument(int index) {
        return argument(index) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    public static boolean isCommand(RtmpMessage message) {
        return message.typeId() == MessageType.COMMAND_AMF0 || message.typeId() == MessageType.COMMAND_AMF3;
    }

    /** Decodes a command message; throws {@code Amf0Exception} for malformed AMF. */
    public static Command decode(RtmpMessage message) {
        ByteBuf p = message.content().duplicate();
        if (message.typeId() == MessageType.COMMAND_AMF3 && p.isReadable()) {
            p.skipBytes(1);
        }
        List<Object> values = Amf0Reader.readAll(p);
        if (values.isEmpty() || !(values.get(0) instanceof String name)) {
            throw new io.netty.handler.codec.DecoderException("command message without a name");
        }
        double transactionId = values.size() > 1 && values.get(1) instanceof Number n ? n.doubleValue() : 0;
        List<Object> rest = values.size() > 2 ? new ArrayList<>(values.subList(2, values.size())) : List.of();
        return new Command(name, transactionId, rest);
    }

    public RtmpMessage encode(ByteBufAllocator alloc, int chunkStreamId, int messageStreamId) {
        ByteBuf payload = alloc.buffer();
        try {
            Amf0Writer.write(payload, name);
            Amf0Writer.write(payload, transactionId);
            for (int i = 0; i < arguments.size(); i++) {
                Amf0Writer.write(payload, argument(i));
            }
        } catch (RuntimeException e) {
            payload.release();
            throw e;
        }
        return new RtmpMessage(chunkStreamId, MessageType.COMMAND_AMF0, messageStreamId, 0, payload);
    }

    @Override
    public String toString() {
        // Arguments can hold stream keys (publish, releaseStream): never print them.
        return "Command(" + name + ", tid=" + (long) transactionId + ", " + arguments.size() + " args)";
    }
}
