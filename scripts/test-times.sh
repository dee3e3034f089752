#!/usr/bin/env bash
# Where the test run's minutes went: the slowest test classes (from the surefire and failsafe reports every module
# writes) and the totals. scripts/test.sh prints this after every run, passed or failed; run it alone after any build.
#   scripts/test-times.sh [N]   the N slowest classes (default 20)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
top="${1:-20}"
shopt -s nullglob
reports=(*/target/surefire-reports/TEST-*.xml */target/failsafe-reports/TEST-*.xml)
if [ ${#reports[@]} -eq 0 ]; then
  echo "no test reports under */target: nothing ran"
  exit 0
fi
# One line per class: seconds, tests, failures+errors, module, class (the <testsuite> element's attributes).
rows=$(for file in "${reports[@]}"; do
  module="${file%%/*}"
  grep -m1 -o '<testsuite [^>]*>' "$file" | awk -v module="$module" '{
    name = ""; time = 0; tests = 0; bad = 0
    while (match($0, /[a-z]+="[^"]*"/)) {
      pair = substr($0, RSTART, RLENGTH); $0 = substr($0, RSTART + RLENGTH)
      key = substr(pair, 1, index(pair, "=") - 1); value = substr(pair, index(pair, "=") + 2); value = substr(value, 1, length(value) - 1)
      if (key == "name") name = value; else if (key == "time") time = value; else if (key == "tests") tests = value
      else if (key == "failures" || key == "errors") bad += value
    }
    gsub(",", "", time)
    printf "%.1f %d %d %s %s\n", time, tests, bad, module, name
  }'
done)
echo
echo "== the ${top} slowest test classes (seconds, tests, module, class) =="
sort -rn <<<"$rows" | head -n "$top" | awk '{ printf "%8.1f s %4d  %-14s %s%s\n", $1, $2, $4, $5, ($3 > 0 ? "  (" $3 " failed)" : "") }'
awk '{ seconds += $1; tests += $2; bad += $3; classes++; if ($5 ~ /IT$/) { it += $1 } else { unit += $1 } }
  END { printf "== %d tests in %d classes, %d failed; %.0f s in test classes (%.0f s integration, %.0f s unit) ==\n", tests, classes, bad, seconds, it, unit }' <<<"$rows"
# Why each failed test failed, here at the end where a truncated CI log still shows it: the test, its message and the
# first lines of its trace, from the same reports (perl: essential on Debian).
perl -e '
  my %seen;
  for my $file (@ARGV) {
    my ($module) = $file =~ m{^([^/]+)/};
    local $/; open(my $in, "<", $file) or next; my $xml = <$in>;
    while ($xml =~ m{<testcase\s+name="([^"]*)"\s+classname="([^"]*)"[^>]*?(?:/>|>(.*?)</testcase>)}gs) {
      my ($name, $class, $body) = ($1, $2, $3 // "");
      next unless $body =~ m{<(failure|error)\b([^>]*?)(?:/>|>(.*?)</\1>)}s;
      my ($kind, $attributes, $trace) = ($1, $2, $3 // "");
      next if $seen{"$class#$name"}++;
      my ($message) = $attributes =~ m{message="([^"]*)"};
      for ($message, $trace) {
        $_ //= ""; s/^\s*<!\[CDATA\[//; s/\]\]>\s*$//; s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&apos;/\x27/g; s/&#10;/\n/g; s/&#13;//g; s/&amp;/&/g;
      }
      my @lines = grep { length } split /\n/, ($message ne "" ? "$message\n" : "") . $trace;
      my $shown = @lines > 40 ? 40 : scalar @lines;
      print "\n== $kind: $module $class#$name ==\n";
      print "  $_\n" for @lines[0 .. $shown - 1];
      print "  ... (" . (@lines - $shown) . " more lines in $file)\n" if @lines > $shown;
    }
  }
' "${reports[@]}"
