#!/bin/sh
# Screenshots of the sample reports in a headless browser, in the light and in the dark colour scheme.
#
#   latency-lib/src/test/screenshots.sh [maven-repo]     (from the repository root)
#
# Writes the samples (ReportSamplesTest: target/report-samples/*.html) and, next to each page,
# <page>-light.png and <page>-dark.png (1280 x 2000). Needs Debian's chromium (apt-get install chromium).
# The scheme is chosen with --blink-settings=preferredColorScheme=0 (dark) or 1 (light); in Debian's
# chromium 1xx --force-dark-mode gives the same dark page, and no flag the light one.
set -eu
repo=${1:-$HOME/.m2/repository}
./mvnw -B -ntp -q -o -Dmaven.repo.local="$repo" -pl latency-lib test -Dtest=ReportSamplesTest \
    -Dsurefire.failIfNoSpecifiedTests=false
out=latency-lib/target/report-samples
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
for page in "$out"/*.html; do
    for scheme in light:1 dark:0; do
        png="${page%.html}-${scheme%%:*}.png"
        chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
            --disable-background-networking --disable-component-update --disable-sync \
            --user-data-dir="$profile" --window-size=1280,2000 \
            --blink-settings=preferredColorScheme="${scheme#*:}" \
            --screenshot="$png" "file://$(realpath "$page")" 2>/dev/null
        echo "$png"
    done
done
