// Checks what a user of this project sees: both tests ran and passed, each wrote its three reports,
// and the dependency tree holds no artifact of another messaging system.
def log = new File(basedir, 'build.log').text
assert log.contains('Tests run: 2, Failures: 0, Errors: 0, Skipped: 0') : 'the two latency tests did not both pass'

def tree = new File(basedir, 'target/dependency-tree.txt').text
['org.apache.kafka', 'com.rabbitmq', 'io.latencylib:latency-lib-kafka', 'io.latencylib:latency-lib-rabbitmq'].each {
    assert !tree.contains(it) : "the Pulsar project's dependency tree contains ${it}:\n${tree}"
}

def reports = new File(basedir, 'target/latency-reports')
['txt', 'json', 'html'].each { ext ->
    def files = []
    reports.eachFileRecurse { if (it.name.endsWith('.' + ext)) files << it }
    assert files.size() == 2 : "expected one .${ext} report per test under ${reports}, found ${files}"
}
def html = []
reports.eachFileRecurse { if (it.name.endsWith('.html')) html << it.text }
assert html.every { it.contains('SLO verdicts') && (it.contains('p99 &lt; 500ms') || it.contains('publish.p99')) } : 'an HTML report does not show its verdicts'
return true
