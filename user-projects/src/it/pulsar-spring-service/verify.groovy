// Checks what a user of this project sees: the test ran and passed, and the dependency tree holds no
// artifact of another messaging system (latency-lib-spring-boot declares them optional).
def log = new File(basedir, 'build.log').text
assert log.contains('Tests run: 1, Failures: 0, Errors: 0, Skipped: 0') : 'the service test did not pass'

def tree = new File(basedir, 'target/dependency-tree.txt').text
['org.apache.kafka', 'com.rabbitmq', 'org.springframework.amqp', 'org.springframework.kafka',
 'io.latencylib:latency-lib-kafka', 'io.latencylib:latency-lib-rabbitmq'].each {
    assert !tree.contains(it) : "the Pulsar Spring project's dependency tree contains ${it}:\n${tree}"
}
return true
