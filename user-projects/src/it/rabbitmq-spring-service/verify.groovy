// Checks what a user of this project sees: the test ran and passed, and the dependency tree holds no
// artifact of another messaging system (latency-lib-spring-boot declares them optional).
def log = new File(basedir, 'build.log').text
assert log.contains('Tests run: 1, Failures: 0, Errors: 0, Skipped: 0') : 'the service test did not pass'

def tree = new File(basedir, 'target/dependency-tree.txt').text
['org.apache.kafka', 'org.apache.pulsar', 'org.springframework.kafka', 'org.springframework.pulsar',
 'io.latencylib:latency-lib-kafka', 'io.latencylib:latency-lib-pulsar'].each {
    assert !tree.contains(it) : "the RabbitMQ Spring project's dependency tree contains ${it}:\n${tree}"
}
return true
