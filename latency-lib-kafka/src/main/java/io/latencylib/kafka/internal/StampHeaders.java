package io.latencylib.kafka.internal;

import io.latencylib.LatencyStamp;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Finds the stamp header of a fetched record without decoding header keys. A fetched record's headers
 * hold their keys as bytes, decoded into a {@code String} only when {@code key()} is first called;
 * {@code Headers.lastHeader(name)} calls it for every header it passes, so a consumer that never reads
 * headers would pay, through the wrapper, one string per record (the decode showed as 12% of the
 * wrapped consumer's samples in JFR). Here the key bytes are compared with the stamp header's name
 * instead (read through the fields of kafka-clients' {@code RecordHeader}, the same in 3.9 to 4.1); any
 * other {@code Headers} or {@code Header}, or a client whose fields differ, takes {@code lastHeader}.
 * Nothing is changed: the key stays undecoded until the application asks for it, as without the wrapper.
 */
final class StampHeaders {

    private static final ByteBuffer NAME = ByteBuffer.wrap(LatencyStamp.HEADER.getBytes(StandardCharsets.UTF_8))
            .asReadOnlyBuffer();
    private static final VarHandle LIST;
    private static final VarHandle KEY;
    private static final VarHandle KEY_BUFFER;

    static {
        VarHandle list = null;
        VarHandle key = null;
        VarHandle keyBuffer = null;
        try {
            list = MethodHandles.privateLookupIn(RecordHeaders.class, MethodHandles.lookup())
                    .findVarHandle(RecordHeaders.class, "headers", List.class);
            MethodHandles.Lookup header = MethodHandles.privateLookupIn(RecordHeader.class, MethodHandles.lookup());
            key = header.findVarHandle(RecordHeader.class, "key", String.class);
            keyBuffer = header.findVarHandle(RecordHeader.class, "keyBuffer", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            list = null; // another client version, or fields not accessible: lastHeader
        }
        LIST = list;
        KEY = key;
        KEY_BUFFER = keyBuffer;
    }

    private StampHeaders() {
    }

    /** @return the last header named {@link LatencyStamp#HEADER}, or null (as {@code headers.lastHeader}) */
    @SuppressWarnings("unchecked")
    static Header last(Headers headers) {
        if (LIST != null && headers.getClass() == RecordHeaders.class) {
            Object value = LIST.get((RecordHeaders) headers);
            if (value instanceof List<?> list) {
                for (int i = list.size() - 1; i >= 0; i--) {
                    Header h = (Header) list.get(i);
                    if (isStamp(h)) {
                        return h;
                    }
                }
                return null;
            }
        }
        return headers.lastHeader(LatencyStamp.HEADER);
    }

    private static boolean isStamp(Header h) {
        if (h.getClass() == RecordHeader.class) {
            RecordHeader r = (RecordHeader) h;
            String key = (String) KEY.get(r);
            if (key == null) {
                ByteBuffer bytes = (ByteBuffer) KEY_BUFFER.get(r);
                if (bytes != null) {
                    return NAME.equals(bytes); // compares the remaining bytes; moves no position
                }
            } else {
                return LatencyStamp.HEADER.equals(key);
            }
        }
        return LatencyStamp.HEADER.equals(h.key());
    }
}
