#!/bin/bash
# compare.sh - run the same scenarios against two instances, interleaved
# (MTA1 once, MTA2 once, repeated ROUNDS times), never at the same time.
#
# Usage: bench/compare.sh TAG ROUNDS SCENARIOS [INSTANCE...]
#   e.g. bench/compare.sh before 3 a,b,d,e postern postfix
# Output: /tmp/pn-bench-results/TAG-NAME.out (RESULT lines) and .jsonl.
# Extra mta-bench options can be passed in MTA_BENCH_OPTS.
set -u
TAG=$1 ROUNDS=$2 SCEN=$3; shift 3
NAMES=("$@"); [[ ${#NAMES[@]} -eq 0 ]] && NAMES=(postern postfix)
HARNESS=${HARNESS:-/work/shared/bench}
R=/tmp/pn-bench-results; mkdir -p "$R"
for round in $(seq 1 "$ROUNDS"); do
    for n in "${NAMES[@]}"; do
        echo "== round $round $n $(date +%T)" >&2
        "$HARNESS/mta-bench" -n "$n" --label "$n" -s "$SCEN" -r 1 --interleave ${MTA_BENCH_OPTS:-} \
            --json "$R/$TAG-$n.jsonl" >>"$R/$TAG-$n.out" 2>>"$R/$TAG-$n.err"
    done
done
grep -h '^RESULT ' "$R/$TAG"-*.out
