package io.latencylib.rabbitmq.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.load.LoadReport;
import io.latencylib.load.Schedule;
import io.latencylib.rabbitmq.RabbitLoadDriver;
import io.latencylib.rabbitmq.junit.RabbitSession;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link RabbitSession} opened by the provider's broker on a real RabbitMQ, with a context the test builds. */
@ExtendWith(RabbitTestSupport.class)
class RabbitSessionTest {

    private static RabbitSession open(TestSessionContext context) {
        return (RabbitSession) RabbitTestSupport.broker().openSession(context);
    }

    @Test
    void ownTrafficOnSessionChannelsIsSplitInEveryStageRabbitMqGivesAndEverythingIsCleanedUpAfter() throws Exception {
        TestSessionContext context = new TestSessionContext(RabbitTestSupport.broker(), "own-traffic");
        RabbitSession rabbit = open(context);
        assertThat(rabbit.system()).isEqualTo("rabbitmq");
        assertThat(rabbit.recorder()).isSameAs(context.recorder());

        String queue = rabbit.newQueue();
        assertThat(queue).startsWith("latency-own-traffic-");
        Channel consuming = rabbit.channel();
        CountDownLatch all = new CountDownLatch(500);
        consuming.basicConsume(queue, false, (tag, delivery) -> {
            consuming.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
            all.countDown();
        }, tag -> { });
        Channel publishing = rabbit.channel();
        for (int i = 0; i < 500; i++) {
            publishing.basicPublish("", queue, null, new byte[256]);
        }
        publishing.waitForConfirmsOrDie(30_000); // confirms were switched on by channel()
        assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();

        LatencyReport report = rabbit.report();
        assertThat(report.counts().sent()).isEqualTo(500);
        assertThat(report.counts().acked()).isEqualTo(500);
        assertThat(report.counts().joined()).isEqualTo(500);
        assertThat(report.counts().lost()).isZero();
        assertThat(report.counts().duplicated()).isZero();
        // RabbitMQ 3.10 sets no broker timestamp: publish+commit merged, the other three apart, and the report says why
        assertThat(report.mergedStages()).containsExactly("publish+commit");
        assertThat(report.stage(Stage.PRODUCE)).isPresent();
        assertThat(report.stage(Stage.CATCH_UP)).isPresent();
        assertThat(report.stage(Stage.FETCH)).isPresent();
        assertThat(report.notes()).anyMatch(n -> n.contains("timestamp_in_ms") && n.contains(queue));

        Connection connection = rabbit.connection();
        assertThat(rabbit.connection()).isSameAs(connection);
        assertThat(connection.isOpen()).isTrue();
        context.close(); // what the extension does after the test
        assertThat(connection.isOpen()).isFalse();
        assertThat(consuming.isOpen()).isFalse();
        assertThat(queueExists(queue)).as("the test's queue is deleted").isFalse();
        assertThatThrownBy(rabbit::connection).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(rabbit::newQueue).as("no queue left behind by a late call")
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void amqpUriAndConnectionFactoryReachTheBrokerAndQueueArgumentsAreApplied() throws Exception {
        try (TestSessionContext context = new TestSessionContext(RabbitTestSupport.broker(), "uri")) {
            RabbitSession rabbit = open(context);
            assertThat(rabbit.amqpUri()).matches("amqps?://[^:@/]+:[^@/]+@[^/]+/.+");
            String password = java.net.URI.create(rabbit.amqpUri()).getUserInfo().split(":", 2)[1];
            assertThat(RabbitTestSupport.broker().address()).as("the address in reports hides the password")
                    .isEqualTo(RabbitSystemProvider.masked(rabbit.amqpUri())).contains(":***@")
                    .doesNotContain(":" + password + "@");
            String quorum = rabbit.newQueue(Map.of("x-queue-type", "quorum"));
            String classic = rabbit.newQueue();
            ConnectionFactory byUri = new ConnectionFactory();
            byUri.setUri(rabbit.amqpUri());
            try (Connection own = byUri.newConnection(); Connection viaFactory = rabbit.connectionFactory().newConnection()) {
                Channel ch = own.createChannel();
                ch.queueDeclarePassive(classic);
                // redeclaring with other arguments fails (406): the session really made a quorum queue
                assertThatThrownBy(() -> ch.queueDeclare(quorum, true, false, false, Map.of()))
                        .isInstanceOf(IOException.class);
                viaFactory.createChannel().queueDeclarePassive(quorum);
            }
        }
    }

    @Test
    void channelsAndConsumersTheTestMadeAreMeasuredOnceEachWhenWrapped() throws Exception {
        try (TestSessionContext context = new TestSessionContext(RabbitTestSupport.broker(), "wrap");
             Connection own = RabbitTestSupport.factory().newConnection()) {
            RabbitSession rabbit = open(context);
            String plainQueue = rabbit.newQueue();
            String wrappedQueue = rabbit.newQueue();
            CountDownLatch all = new CountDownLatch(200);

            Channel plain = own.createChannel(); // not wrapped: only the consumer is
            Consumer onPlain = rabbit.wrap(counting(plain, all), plainQueue);
            plain.basicConsume(plainQueue, true, onPlain);
            Channel session = rabbit.channel();   // wrapped: a wrapped consumer on it is observed once
            Consumer onWrapped = rabbit.wrap(counting(session, all), wrappedQueue);
            session.basicConsume(wrappedQueue, true, onWrapped);

            Channel publishing = rabbit.wrap(own.createChannel());
            publishing.confirmSelect();
            for (int i = 0; i < 100; i++) {
                publishing.basicPublish("", plainQueue, null, new byte[64]);
                publishing.basicPublish("", wrappedQueue, null, new byte[64]);
            }
            publishing.waitForConfirmsOrDie(30_000);
            assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();

            LatencyReport report = rabbit.report();
            assertThat(report.counts().sent()).isEqualTo(200);
            assertThat(report.counts().received()).isEqualTo(200);
            assertThat(report.counts().acked()).isEqualTo(200);
            assertThat(report.counts().joined()).isEqualTo(200);
            assertThat(report.counts().duplicated()).isZero();
            assertThat(report.mergedStages()).containsExactly("publish+commit");

            assertThatThrownBy(() -> rabbit.wrap(rabbit.channel())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("already wrapped");
            assertThatThrownBy(() -> rabbit.wrap(onPlain, plainQueue)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("already wrapped");
        }
    }

    @Test
    void loadRunsPacedThroughTheRabbitDriverIntoTheTestsRecorder() throws Exception {
        try (TestSessionContext context = new TestSessionContext(RabbitTestSupport.broker(), "load")) {
            RabbitSession rabbit = open(context);
            try (var driver = RabbitTestSupport.broker().newLoadDriver()) {
                assertThat(driver).isInstanceOf(RabbitLoadDriver.class);
                assertThat(driver.system()).isEqualTo("rabbitmq");
            }
            LoadReport load = rabbit.load().schedule(Schedule.constant(500, Duration.ofSeconds(3)))
                    .progressListener(p -> { }).run();
            assertThat(load.drained()).isTrue();
            assertThat(load.achievedRate()).isCloseTo(500, Percentage.withPercentage(10));
            assertThat(load.report().counts().joined()).isEqualTo(load.sent());
            assertThat(rabbit.report().counts().joined()).as("into the test's recorder").isEqualTo(load.sent());
        }
    }

    private static DefaultConsumer counting(Channel channel, CountDownLatch latch) {
        return new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                latch.countDown();
            }
        };
    }

    private static boolean queueExists(String queue) throws Exception {
        try (Connection c = RabbitTestSupport.factory().newConnection()) {
            c.createChannel().queueDeclarePassive(queue);
            return true;
        } catch (IOException e) {
            return false; // 404 NOT_FOUND closes the channel
        }
    }
}
