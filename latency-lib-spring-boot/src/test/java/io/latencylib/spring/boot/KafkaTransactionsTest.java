package io.latencylib.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latencylib.LatencyReport;
import io.latencylib.kafka.embedded.EmbeddedKafka;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * A transactional KafkaTemplate: each transaction is begun, committed or aborted once on the client and
 * told to the wrapper of every topic, also of a topic first sent to inside the transaction.
 */
class KafkaTransactionsTest {

    static final int N = 20;
    static final CountDownLatch RECEIVED = new CountDownLatch(2 * N);
    static EmbeddedKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.builder().start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class TransactionalService {
        @Bean
        NewTopic a() {
            return TopicBuilder.name("tx-a").partitions(1).config("message.timestamp.type", "LogAppendTime").build();
        }

        @Bean
        NewTopic b() {
            return TopicBuilder.name("tx-b").partitions(1).config("message.timestamp.type", "LogAppendTime").build();
        }

        @Bean
        NewTopic c() {
            return TopicBuilder.name("tx-c").partitions(1).config("message.timestamp.type", "LogAppendTime").build();
        }

        @KafkaListener(topics = {"tx-a", "tx-b", "tx-c"}, groupId = "tx")
        void on(String value) {
            RECEIVED.countDown();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void committedAndAbortedTransactionsReachEveryTopicsRecorder() throws Exception {
        SpringApplication app = new SpringApplication(TransactionalService.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext context = app.run(
                "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--spring.kafka.producer.transaction-id-prefix=tx-",
                "--spring.kafka.consumer.isolation-level=read_committed",
                "--spring.kafka.consumer.auto-offset-reset=earliest")) {
            KafkaTemplate<Object, Object> template = context.getBean(KafkaTemplate.class);
            // committed: tx-a and tx-b, both first sent to inside the transaction
            template.executeInTransaction(t -> {
                for (int i = 0; i < N; i++) {
                    t.send("tx-a", "a-" + i);
                    t.send("tx-b", "b-" + i);
                }
                return null;
            });
            // aborted after a flush (so the broker has them): tx-a, tx-b, and tx-c first sent to here
            assertThatThrownBy(() -> template.executeInTransaction(t -> {
                for (int i = 0; i < N; i++) {
                    t.send("tx-a", "a-aborted-" + i);
                    t.send("tx-b", "b-aborted-" + i);
                    t.send("tx-c", "c-aborted-" + i);
                }
                t.flush();
                throw new IllegalStateException("the service gives up");
            })).hasMessageContaining("gives up");
            assertThat(RECEIVED.await(60, TimeUnit.SECONDS)).as("the committed messages, read committed").isTrue();

            LatencyRecorders recorders = context.getBean(LatencyRecorders.class);
            for (String topic : new String[] {"tx-a", "tx-b", "tx-c"}) {
                LatencyReport report = recorders.recorderFor("kafka", topic).orElseThrow().report();
                System.out.println(topic + ":\n" + report.toTable());
                assertThat(report.counts().aborted()).as(topic + " aborted").isEqualTo(N);
                assertThat(report.counts().received()).as(topic + " received").isEqualTo(topic.equals("tx-c") ? 0 : N);
                assertThat(report.counts().sendErrors()).as(topic + " send errors").isZero();
                assertThat(report.counts().lost()).as(topic + " lost").isZero();
            }
        }
    }
}
