#!/usr/bin/env bash
# Whether two builds of the tool print the same thing: for each input, the
# five outputs a change to the analysis can move (`check` concise, full and
# JSON; `audit` JSON and Markdown), standard output and standard error,
# compared byte for byte. Used to check that a performance change leaves
# every result as it was.
#
#   scripts/same-output.sh BASE_BINARY NEW_BINARY [INPUT...]
#
# INPUT defaults to corpus/ (scripts/corpus.sh), target/bench/stdlib (made by
# scripts/bench.sh) and tests/fixtures/projects, each where it exists.
# Exits 1 when any output differs (the first lines of the difference are
# printed), 2 on a usage error.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
    echo "usage: scripts/same-output.sh BASE_BINARY NEW_BINARY [INPUT...]" >&2
    exit 2
fi
base=$1
new=$2
shift 2
inputs=("$@")
if [ ${#inputs[@]} -eq 0 ]; then
    for dir in corpus target/bench/stdlib tests/fixtures/projects; do
        [ -d "$dir" ] && inputs+=("$dir")
    done
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
compared=0
differ=0
for input in "${inputs[@]}"; do
    for args in "check --exit-zero --output-format concise" "check --exit-zero" \
        "check --exit-zero --output-format json" "audit --format json" "audit"; do
        # shellcheck disable=SC2086 # the arguments are split on purpose
        "$base" $args "$input" >"$work/base.out" 2>"$work/base.err"
        # shellcheck disable=SC2086
        "$new" $args "$input" >"$work/new.out" 2>"$work/new.err"
        compared=$((compared + 1))
        for stream in out err; do
            if ! cmp -s "$work/base.$stream" "$work/new.$stream"; then
                differ=$((differ + 1))
                echo "differs: $input, $args (std$stream):"
                diff "$work/base.$stream" "$work/new.$stream" | head -10
            fi
        done
    done
done
if [ "$differ" -gt 0 ]; then
    echo "same-output.sh: $differ of $((compared * 2)) outputs differ"
    exit 1
fi
echo "same-output.sh: all $((compared * 2)) outputs identical (${inputs[*]})"
