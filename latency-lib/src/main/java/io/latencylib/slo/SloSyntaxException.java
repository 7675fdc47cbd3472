package io.latencylib.slo;

/** A string SLO could not be parsed; the message names the text, the position and what was expected. */
public final class SloSyntaxException extends IllegalArgumentException {

    private final String text;
    private final int position;

    SloSyntaxException(String text, int position, String problem) {
        super("bad SLO \"" + text + "\" at position " + position + ": " + problem + "\n  " + text + "\n  "
                + " ".repeat(Math.max(0, Math.min(position, text.length()))) + "^");
        this.text = text;
        this.position = position;
    }

    /** @return the text that failed to parse */
    public String text() {
        return text;
    }

    /** @return the 0-based position of the problem in {@link #text()} */
    public int position() {
        return position;
    }
}
