package io.latencylib.slo;

/**
 * A string SLO, or a duration in the notation of objectives ({@link Slo#parseDuration}), could not be
 * parsed; the message names the position, what was expected and quotes the
 * text around the problem: all of it when short, otherwise at most {@value #EXCERPT} characters around
 * the position with {@code ...} where the text was cut, so the message stays short whatever the input.
 */
public final class SloSyntaxException extends IllegalArgumentException {

    /** The most characters of the text a message quotes. */
    static final int EXCERPT = 60;
    private static final String CUT = "...";

    /** The kind of text of an objective. */
    static final String SLO = "SLO";

    private final String text;
    private final int position;
    private final String problem;

    SloSyntaxException(String text, int position, String problem) {
        this(SLO, text, position, problem);
    }

    /** @param kind what the text is, e.g. {@code SLO}, or the name of a duration such as {@code warmUp} */
    SloSyntaxException(String kind, String text, int position, String problem) {
        super(message(kind, text, position, problem));
        this.text = text;
        this.position = position;
        this.problem = problem;
    }

    private static String message(String kind, String text, int position, String problem) {
        int at = Math.max(0, Math.min(position, text.length()));
        int from = 0;
        int to = text.length();
        if (text.length() > EXCERPT) {
            from = Math.max(0, Math.min(at - EXCERPT / 2, text.length() - EXCERPT));
            to = from + EXCERPT;
        }
        StringBuilder excerpt = new StringBuilder();
        if (from > 0) {
            excerpt.append(CUT);
        }
        int caret = excerpt.length() + at - from;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            excerpt.append(Character.isISOControl(c) ? ' ' : c);   // a tab or line break would move the caret
        }
        if (to < text.length()) {
            excerpt.append(CUT);
        }
        return "bad " + kind + " \"" + excerpt + "\" at position " + position + ": " + problem + "\n  " + excerpt + "\n  "
                + " ".repeat(caret) + "^";
    }

    /** @return {@code s} in quotes, cut to at most 20 characters with {@code ...}: for quoting input in a problem */
    static String quote(String s) {
        return "\"" + (s.length() <= 20 ? s : s.substring(0, 20) + CUT) + "\"";
    }

    /** @return the whole text that failed to parse (the message quotes at most {@value #EXCERPT} characters of it) */
    public String text() {
        return text;
    }

    /** @return what is wrong, without the text and position */
    String problem() {
        return problem;
    }

    /** @return the 0-based position of the problem in {@link #text()} */
    public int position() {
        return position;
    }
}
