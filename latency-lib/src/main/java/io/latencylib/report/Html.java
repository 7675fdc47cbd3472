package io.latencylib.report;

import java.util.Locale;
import java.util.regex.Pattern;

/** Escaping and number formatting for the HTML reports. */
final class Html {

    /** A URL scheme in text: its colon is written as a character reference, so the file holds no URL. */
    private static final Pattern SCHEME = Pattern.compile("(?i)\\b(https?|ftp|file|data|javascript):");

    private Html() {
    }

    /** @return {@code s} safe in XHTML text and attribute values */
    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                        out.append('\uFFFD'); // not allowed in XML
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return SCHEME.matcher(out).replaceAll("$1&#58;");
    }

    /** @return milliseconds with 3 significant digits or more (at least 0.001 resolution) */
    static String ms(double ms) {
        double a = Math.abs(ms);
        String format = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, format, ms);
    }

    /** @return milliseconds with exactly 3 decimals, as in the text tables */
    static String ms3(double ms) {
        return String.format(Locale.ROOT, "%.3f", ms);
    }

    /** @return an integer with thousands separators */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** @return a rate in messages per second, e.g. {@code 1,909} or {@code 12.5} */
    static String rate(double perSecond) {
        if (Double.isNaN(perSecond)) {
            return "n/a";
        }
        return Math.abs(perSecond) >= 100 ? String.format(Locale.ROOT, "%,.0f", perSecond)
                : String.format(Locale.ROOT, "%,.1f", perSecond);
    }

    /** @return a short axis label for a rate: {@code 2.5k}, {@code 10k}, {@code 1.2M} */
    static String shortRate(double v) {
        if (v >= 1e6) {
            return trim(String.format(Locale.ROOT, "%.2f", v / 1e6)) + "M";
        }
        if (v >= 1e3) {
            return trim(String.format(Locale.ROOT, "%.2f", v / 1e3)) + "k";
        }
        return trim(String.format(Locale.ROOT, "%.2f", v));
    }

    private static String trim(String s) {
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }
}
