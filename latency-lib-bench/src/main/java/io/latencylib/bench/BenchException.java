package io.latencylib.bench;

/** Bad input to the runner: the message names the file, the key and the fix. */
final class BenchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BenchException(String message) {
        super(message);
    }
}
