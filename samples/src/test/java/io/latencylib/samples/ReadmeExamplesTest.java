package io.latencylib.samples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The READMEs' test examples are the code of the sample tests, character for character. A README marks
 * such an example with an HTML comment naming the file, right before the code block:
 *
 * <pre>
 * &lt;!-- sample: samples/src/test/java/io/latencylib/samples/service/OrderServiceLatencyTest.java --&gt;
 * ```java
 * ...
 * ```
 * </pre>
 *
 * and this test fails when the block is not in that file as it stands (naming the README line and the
 * first line that differs), when a marker names no file or has no code block, and when the root README
 * has no example for one of the systems' sample tests.
 */
class ReadmeExamplesTest {

    private static final Pattern MARKED_BLOCK = Pattern.compile(
            "<!-- sample: (\\S+) -->[ \\t]*\\R(?:```java\\R(.*?)\\R```)?", Pattern.DOTALL);

    private static final List<String> SERVICE_TESTS = List.of(
            "samples/src/test/java/io/latencylib/samples/service/OrderServiceLatencyTest.java",
            "samples/src/test/java/io/latencylib/samples/service/PulsarOrderServiceLatencyTest.java",
            "samples/src/test/java/io/latencylib/samples/service/RabbitOrderServiceLatencyTest.java");

    private static final Path ROOT = repositoryRoot();

    @Test
    void theRootReadmeShowsEachSystemsServiceTest() throws IOException {
        Set<String> named = check("README.md");
        for (String test : SERVICE_TESTS) {
            assertTrue(named.contains(test), "README.md has no example marked <!-- sample: " + test + " -->");
        }
    }

    @Test
    void theJunitReadmeShowsTheKafkaServiceTest() throws IOException {
        assertTrue(check("latency-lib-junit/README.md").contains(SERVICE_TESTS.get(0)),
                "latency-lib-junit/README.md has no example marked <!-- sample: " + SERVICE_TESTS.get(0) + " -->");
    }

    /** Checks every marked block of a README. @return the files its markers name */
    private static Set<String> check(String readme) throws IOException {
        String text = normalised(Files.readString(ROOT.resolve(readme)));
        Set<String> named = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        Matcher m = MARKED_BLOCK.matcher(text);
        while (m.find()) {
            String where = readme + ":" + lineOf(text, m.start());
            String name = m.group(1);
            named.add(name);
            Path file = ROOT.resolve(name);
            if (m.group(2) == null) {
                problems.add(where + ": the marker naming " + name + " must be followed by a ```java code block");
            } else if (!Files.isRegularFile(file)) {
                problems.add(where + ": names " + name + ", which does not exist");
            } else {
                String block = m.group(2);
                String code = normalised(Files.readString(file));
                if (!code.contains(block)) {
                    problems.add(where + ": the example is not in " + name + " as it stands: " + firstDifference(block, code)
                            + "; copy the code from the file into the README");
                }
            }
        }
        assertFalse(named.isEmpty(), readme + " marks no example (<!-- sample: <file> --> before a ```java block)");
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
        return named;
    }

    /** Where the block and the file part: the block's first line the file does not continue with. */
    private static String firstDifference(String block, String code) {
        String[] want = block.split("\n", -1);
        String[] have = code.split("\n", -1);
        int bestStart = -1;
        int bestLength = -1;
        for (int start = 0; start < have.length; start++) {
            int n = 0;
            while (n < want.length && start + n < have.length && want[n].equals(have[start + n])) {
                n++;
            }
            if (n > bestLength) {
                bestLength = n;
                bestStart = start;
            }
        }
        if (bestLength <= 0) {
            return "its first line \"" + want[0].strip() + "\" is not in the file";
        }
        String got = bestStart + bestLength < have.length ? have[bestStart + bestLength] : "(end of file)";
        return "line " + (bestLength + 1) + " of the example is \"" + want[Math.min(bestLength, want.length - 1)]
                + "\", the file's line " + (bestStart + bestLength + 1) + " is \"" + got + "\"";
    }

    private static String normalised(String text) {
        return text.replace("\r\n", "\n");
    }

    private static int lineOf(String text, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /** The repository root: the parent of this module's directory, where surefire runs the tests. */
    private static Path repositoryRoot() {
        Path root = Path.of("").toAbsolutePath().getParent();
        if (root == null || !Files.isRegularFile(root.resolve("README.md")) || !Files.isDirectory(root.resolve("samples"))) {
            throw new IllegalStateException("run from the samples module's directory (as Maven does): " + Path.of("").toAbsolutePath()
                    + " has no ../README.md next to ../samples");
        }
        return root;
    }
}
