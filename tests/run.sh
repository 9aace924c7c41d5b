#!/bin/sh
# Run the unit tests and the command-line tests; print the closing line
# "N passed, N failed" and exit non-zero if anything failed.
#   tests/run.sh UNIT_TEST_BINARY MEDKG_BINARY
unit=$1
medkg=$2
here=$(dirname "$0")
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$unit" >"$out"
unit_rc=$?
unit_line=$(tail -n 1 "$out")
sh "$here/cli.sh" "$medkg" >"$out"
cli_rc=$?
cli_line=$(tail -n 1 "$out")

up=$(echo "$unit_line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
uf=$(echo "$unit_line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
cp=$(echo "$cli_line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
cf=$(echo "$cli_line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
# a crashed runner prints no closing line: count it as a failure
[ -n "$up" ] || { up=0; uf=1; echo "unit test runner crashed (status $unit_rc)"; }
[ -n "$cp" ] || { cp=0; cf=1; echo "command-line tests crashed (status $cli_rc)"; }
echo "unit tests:         $up passed, $uf failed"
echo "command-line tests: $cp passed, $cf failed"
echo "$((up + cp)) passed, $((uf + cf)) failed"
[ "$unit_rc" -eq 0 ] && [ "$cli_rc" -eq 0 ] && [ $((uf + cf)) -eq 0 ]
