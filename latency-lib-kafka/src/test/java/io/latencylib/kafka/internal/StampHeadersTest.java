package io.latencylib.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyStamp;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The consumer's stamp lookup finds what {@code lastHeader} finds, on headers as a fetch builds them. */
class StampHeadersTest {

    private static Header fetched(String key, String value) {
        return new RecordHeader(ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)),
                ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void findsTheLastStampHeaderAmongFetchedHeadersAsLastHeaderDoes() {
        Header first = fetched(LatencyStamp.HEADER, "first");
        Header other = fetched("trace-id", "abc");
        Header last = fetched(LatencyStamp.HEADER, "last");
        Header almost = fetched(LatencyStamp.HEADER + "x", "no");
        RecordHeaders headers = new RecordHeaders(new Header[] {first, other, last, almost});
        assertThat(StampHeaders.last(headers)).isSameAs(last);
        assertThat(StampHeaders.last(new RecordHeaders(new Header[] {other, almost}))).isNull();
        assertThat(StampHeaders.last(new RecordHeaders())).isNull();
        assertThat(new String(StampHeaders.last(headers).value(), StandardCharsets.UTF_8)).isEqualTo("last");
        // the same answers as Kafka's own lookup, also once the keys are decoded
        assertThat(headers.lastHeader(LatencyStamp.HEADER)).isSameAs(last);
        assertThat(StampHeaders.last(headers)).isSameAs(last);
    }

    @Test
    void headersWithStringKeysAndOtherHeaderTypesAreFoundToo() {
        Header stamp = new RecordHeader(LatencyStamp.HEADER, new byte[] {1});
        Header custom = new Header() {
            @Override
            public String key() {
                return LatencyStamp.HEADER;
            }

            @Override
            public byte[] value() {
                return new byte[] {2};
            }
        };
        assertThat(StampHeaders.last(new RecordHeaders(new Header[] {stamp}))).isSameAs(stamp);
        assertThat(StampHeaders.last(new RecordHeaders(new Header[] {stamp, custom}))).isSameAs(custom);
        assertThat(StampHeaders.last(new RecordHeaders(new Header[] {custom, fetched("x", "y")}))).isSameAs(custom);
    }
}
