#!/usr/bin/env bash
# Benchmark async-task-ownership against Ruff's RUF006 and against a parse-only
# baseline, on the real corpus and on the local CPython standard library.
#
#   scripts/bench.sh [CORPUS_DIR]      (default: <repo>/corpus; make it with scripts/corpus.sh)
#
# Commands timed on each input:
#   (a) async-task-ownership check --exit-zero --output-format concise INPUT
#   (b) ruff check --select RUF006 --no-cache --isolated --exit-zero INPUT
#   (c) async-task-ownership check --parse-only INPUT   (parse every file, run no rule)
#
# hyperfine runs every command of one round in turn; BENCH_ROUNDS rounds, the
# order rotated each round, so the commands alternate through the whole run and
# a change in machine load hits all three alike. The median is over all rounds.
# Peak memory (maximum RSS) comes from one separate run of each command under
# GNU time. Then a scaling check: (a) on 1x, 2x and 4x copies of the standard
# library, and on one generated module with 20,000 spawn sites in one class
# (and four generated worst cases for the analysis).
#
# Settings (environment):
#   BENCH_ROUNDS=5       rounds per input
#   BENCH_RUNS=2         timed runs of each command per round
#   BENCH_WARMUP=1       warm-up runs of each command per round
#   BENCH_SCALE_RUNS=5   timed runs of each scaling input
#   BENCH_CALLGRIND=0    1: also count the instructions of (a) and (c) on each
#                        input under valgrind's callgrind, on one worker thread
#                        (a ratio that does not move with the machine's load;
#                        installs valgrind if missing; adds a few minutes)
#
# Results: target/bench/{corpus,stdlib,scaling,many_spawns}.json (hyperfine's
# JSON, the rounds merged; raw rounds in target/bench/rounds/), and a Markdown
# report on stdout (also target/bench/report.md). Exits non-zero only when
# something fails (a build, a tool, a command that exits non-zero); a missed
# target is reported, not an error.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

RUFF_VERSION=0.17.6
ROUNDS="${BENCH_ROUNDS:-5}"
RUNS="${BENCH_RUNS:-2}"
WARMUP="${BENCH_WARMUP:-1}"
SCALE_RUNS="${BENCH_SCALE_RUNS:-5}"
CORPUS="$(cd "${1:-$ROOT/corpus}" 2>/dev/null && pwd)" \
    || { echo "bench.sh: error: no corpus at ${1:-$ROOT/corpus}; run scripts/corpus.sh first" >&2; exit 1; }
OUT="$ROOT/target/bench"
mkdir -p "$OUT/rounds"

FAILURES=()
fail() { FAILURES+=("$*"); echo "bench.sh: FAILED: $*" >&2; }
die() { echo "bench.sh: error: $*" >&2; exit 1; }
log() { echo "bench.sh: $*" >&2; }

# ---------------------------------------------------------------- tools
APT_UPDATED=
apt_install() {
    if [ -z "$APT_UPDATED" ]; then
        apt-get update -qq || die "apt-get update failed"
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || die "apt-get install $* failed"
}
command -v hyperfine >/dev/null || { log "installing hyperfine"; apt_install hyperfine; }
[ -x /usr/bin/time ] || { log "installing GNU time"; apt_install time; }

RUFF="$OUT/venv/bin/ruff"
if ! "$RUFF" --version 2>/dev/null | grep -qx "ruff $RUFF_VERSION"; then
    log "installing ruff $RUFF_VERSION into $OUT/venv"
    rm -rf "$OUT/venv"
    python3 -m venv "$OUT/venv" || die "python3 -m venv failed"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$OUT/venv/bin/pip" install -q "ruff==$RUFF_VERSION" \
        || die "pip install ruff==$RUFF_VERSION failed"
fi

log "building release"
cargo build --release -p async_task_ownership_cli || die "cargo build --release failed"
BIN="$ROOT/target/release/async-task-ownership"
[ -x "$BIN" ] || die "no binary at $BIN"

# ---------------------------------------------------------------- inputs
# The standard library, copied (.py files only) without site-packages and
# __pycache__ (what is installed into site-packages is not the standard
# library, and Ruff skips site-packages by default anyway), and without the few
# test files that are not UTF-8 on purpose (PEP 263 encodings; the CLI refuses
# them with exit status 2, by design). The skipped ones are listed in the report.
STDLIB_SRC="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
PYVER="$(python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
STDLIB="$OUT/stdlib"
STAMP="v2 $STDLIB_SRC $PYVER"
if [ "$(cat "$STDLIB/.bench-ok" 2>/dev/null)" != "$STAMP" ]; then
    log "copying the standard library's .py files from $STDLIB_SRC"
    rm -rf "$STDLIB" "$OUT"/scale-*
    mkdir -p "$STDLIB"
    python3 - "$STDLIB_SRC" "$STDLIB" <<'EOF'
import os, shutil, sys
src, dst = sys.argv[1:3]
skipped = []
for root, dirs, files in os.walk(src):
    dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "__pycache__"))
    for f in sorted(files):
        if not f.endswith(".py"):
            continue
        path = os.path.join(root, f)
        rel = os.path.relpath(path, src)
        try:
            open(path, "rb").read().decode("utf-8")
        except UnicodeDecodeError:
            skipped.append(rel)
            continue
        os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)
        shutil.copy2(path, os.path.join(dst, rel))
with open(os.path.join(dst, ".skipped-not-utf8"), "w") as out:
    out.write("".join(s + "\n" for s in skipped))
EOF
    echo "$STAMP" >"$STDLIB/.bench-ok"
fi
STDLIB_SKIPPED="$(tr '\n' ' ' <"$STDLIB/.skipped-not-utf8")"

pyfiles() { find "$1" -type f -name '*.py' | wc -l; }

# The argv of command $1 (a, b, c) on input path $2.
cmd_argv() {
    case "$1" in
        a) ARGV=("$BIN" check --exit-zero --output-format concise "$2") ;;
        b) ARGV=("$RUFF" check --select RUF006 --no-cache --isolated --exit-zero "$2") ;;
        c) ARGV=("$BIN" check --parse-only "$2") ;;
    esac
}
# The same as one string for hyperfine (which runs it without a shell; its
# output goes nowhere, as with the `>/dev/null` of the documented command).
cmd_string() { cmd_argv "$1" "$2"; printf '%q ' "${ARGV[@]}"; }
cmd_label() {
    case "$1" in
        a) echo "(a) async-task-ownership check" ;;
        b) echo "(b) ruff check --select RUF006" ;;
        c) echo "(c) async-task-ownership --parse-only" ;;
    esac
}

# ---------------------------------------------------------------- peak memory
# One separate run of each command under GNU time: peak RSS, exit status, and
# the output kept for a count of findings.
declare -A RSS EXIT ERRLINE
peak_rss() { # input-name path
    local name="$1" path="$2" c rc
    for c in a b c; do
        cmd_argv "$c" "$path"
        if /usr/bin/time -f %M -o "$OUT/rss-$name-$c.txt" "${ARGV[@]}" \
            >"$OUT/out-$name-$c.txt" 2>"$OUT/err-$name-$c.txt"; then rc=0; else rc=$?; fi
        EXIT[$name-$c]=$rc
        RSS[$name-$c]="$(tail -n1 "$OUT/rss-$name-$c.txt")"
        if [ "$rc" -ne 0 ]; then
            ERRLINE[$name-$c]="$(grep -v '^Command exited' "$OUT/err-$name-$c.txt" | head -n3 | tr '\n' ' ')"
            fail "$(cmd_label "$c") on $name exited $rc: ${ERRLINE[$name-$c]}"
        fi
    done
}

# ---------------------------------------------------------------- timing
# Rounds of hyperfine over (a), (b), (c), rotating the order; merged into
# $OUT/<name>.json.
time_input() { # input-name path
    local name="$1" path="$2" r order c args
    local orders=("a b c" "b c a" "c a b")
    rm -f "$OUT/rounds/$name"-*.json
    for ((r = 1; r <= ROUNDS; r++)); do
        order="${orders[$(((r - 1) % 3))]}"
        args=()
        for c in $order; do args+=(-n "$c" "$(cmd_string "$c" "$path")"); done
        log "$name: round $r/$ROUNDS (order $order)"
        # -i: a command that exits non-zero is still timed; that it failed is
        # reported from the peak-memory run.
        if ! hyperfine -N -i --style basic --warmup "$WARMUP" --runs "$RUNS" \
            --export-json "$OUT/rounds/$name-$r.json" "${args[@]}" \
            >>"$OUT/hyperfine-$name.log" 2>&1; then
            fail "hyperfine on $name, round $r (see $OUT/hyperfine-$name.log)"
            return
        fi
    done
    python3 - "$OUT/$name.json" "$OUT/rounds/$name"-*.json <<'EOF'
import json, statistics, sys
out, rounds = sys.argv[1], sys.argv[2:]
merged = {}
for path in rounds:
    for res in json.load(open(path))["results"]:
        m = merged.setdefault(res["command"], {"command": res["command"], "times": [], "exit_codes": [], "cpu": 0.0})
        m["times"] += res["times"]
        m["exit_codes"] += res.get("exit_codes") or []
        m["cpu"] += (res["user"] + res["system"]) * len(res["times"])
results = []
for name in sorted(merged):
    m = merged[name]
    t = m["times"]
    m.update(mean=statistics.fmean(t), stddev=statistics.stdev(t) if len(t) > 1 else 0.0,
             median=statistics.median(t), min=min(t), max=max(t), runs=len(t),
             user_plus_system=m.pop("cpu") / len(t))
    results.append(m)
json.dump({"results": results, "rounds": len(rounds)}, open(out, "w"), indent=2)
EOF
}

# Median of command $2 in $OUT/$1.json, or empty.
median_of() {
    python3 - "$OUT/$1.json" "$2" <<'EOF' 2>/dev/null || true
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    if r["command"] == sys.argv[2]:
        print(f'{r["median"]:.4f} {r["min"]:.4f} {r["max"]:.4f} {r["runs"]} {r["user_plus_system"]:.4f}')
EOF
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
declare -A INPUT_PATH=([corpus]="$CORPUS" [stdlib]="$STDLIB")
declare -A INPUT_FILES
for name in corpus stdlib; do
    INPUT_FILES[$name]="$(pyfiles "${INPUT_PATH[$name]}")"
    log "$name: ${INPUT_PATH[$name]} (${INPUT_FILES[$name]} .py files)"
    peak_rss "$name" "${INPUT_PATH[$name]}"
    time_input "$name" "${INPUT_PATH[$name]}"
done

# ---------------------------------------------------------------- scaling
for n in 1 2 4; do
    dir="$OUT/scale-$n"
    if [ ! -f "$dir/.bench-ok" ]; then
        rm -rf "$dir"
        mkdir -p "$dir"
        for ((i = 1; i <= n; i++)); do cp -r "$STDLIB" "$dir/copy-$i"; done
        touch "$dir/.bench-ok"
    fi
done
python3 - "$OUT/many_spawns.py" <<'EOF'
import sys
lines = ["import asyncio", "", "", "class ManySpawns:", "    async def work(self):", "        await asyncio.sleep(0)", ""]
for i in range(20_000):
    lines += [f"    async def start_{i}(self):", f"        self._t{i} = asyncio.create_task(self.work())", ""]
open(sys.argv[1], "w").write("\n".join(lines))
EOF
# Worst cases for the analysis (docs/performance.md): 20,000 methods that
# store into one slot; 5,000 that spawn into one slot and 5,000 that cancel
# and await it; 5,000 tasks under one local name in one function; 2,000
# sets, each cancelled by a loop of one method under one loop name.
python3 - "$OUT" <<'EOF'
import sys
out = sys.argv[1]
head = ["import asyncio", "", "", "class C:", "    async def work(self):", "        await asyncio.sleep(0)", ""]
one_slot = head + [l for i in range(20_000) for l in (
    f"    def start_{i}(self):", "        self._t = asyncio.create_task(self.work())", "")]
cancel_await = head + [l for i in range(5_000) for l in (
    f"    def start_{i}(self):", "        self._t = asyncio.create_task(self.work())", "",
    f"    async def stop_{i}(self):", "        self._t.cancel()", "        await self._t", "")]
one_local = head + ["    async def run(self):"] + [l for _ in range(5_000) for l in (
    "        t = asyncio.create_task(self.work())", "        t.cancel()", "        await t")]
loop_name = head + ["    def __init__(self):"] + [f"        self._t{i} = set()" for i in range(2_000)] + [
    l for i in range(2_000) for l in (
        f"    def spawn_{i}(self):", "        task = asyncio.create_task(self.work())",
        f"        self._t{i}.add(task)", "")] + ["    async def stop(self):"] + [
    l for i in range(2_000) for l in (f"        for t in self._t{i}:", "            t.cancel()")]
for name, lines in (("one_slot", one_slot), ("cancel_await", cancel_await), ("one_local", one_local),
                    ("loop_name", loop_name)):
    open(f"{out}/worst_{name}.py", "w").write("\n".join(lines) + "\n")
EOF

log "scaling: 1x, 2x, 4x the standard library"
scale_args=()
for n in 1 2 4; do scale_args+=(-n "scale-$n" "$(cmd_string a "$OUT/scale-$n")"); done
if ! hyperfine -N -i --style basic --warmup 1 --runs "$SCALE_RUNS" \
    --export-json "$OUT/scaling.json" "${scale_args[@]}" >"$OUT/hyperfine-scaling.log" 2>&1; then
    fail "hyperfine scaling (see $OUT/hyperfine-scaling.log)"
fi
log "scaling: one class with 20,000 spawn sites"
cmd_argv a "$OUT/many_spawns.py"
if "${ARGV[@]}" >/dev/null 2>"$OUT/err-many_spawns.txt"; then :; else
    fail "(a) on many_spawns.py exited $?: $(head -n3 "$OUT/err-many_spawns.txt" | tr '\n' ' ')"
fi
if ! hyperfine -N -i --style basic --warmup 1 --runs "$SCALE_RUNS" \
    --export-json "$OUT/many_spawns.json" -n many_spawns "$(cmd_string a "$OUT/many_spawns.py")" \
    >"$OUT/hyperfine-many_spawns.log" 2>&1; then
    fail "hyperfine many_spawns (see $OUT/hyperfine-many_spawns.log)"
fi
log "worst cases: one slot, cancel and await, one local, one loop name"
worst_args=()
for w in one_slot cancel_await one_local loop_name; do
    worst_args+=(-n "$w" "$(cmd_string a "$OUT/worst_$w.py")")
done
if ! hyperfine -N -i --style basic --warmup 1 --runs "$SCALE_RUNS" \
    --export-json "$OUT/worst.json" "${worst_args[@]}" >"$OUT/hyperfine-worst.log" 2>&1; then
    fail "hyperfine worst cases (see $OUT/hyperfine-worst.log)"
fi
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- instructions
# Optional: instructions of (a) and (c), counted by callgrind on one worker
# (RAYON_NUM_THREADS=1), whole runs. Wall time on a shared machine moves by a
# few percent between runs; these counts do not.
declare -A INSTR=()
if [ "${BENCH_CALLGRIND:-0}" = 1 ]; then
    command -v valgrind >/dev/null || { log "installing valgrind"; apt_install valgrind; }
    for name in corpus stdlib; do
        path="$CORPUS"; [ "$name" = stdlib ] && path="$STDLIB"
        for c in a c; do
            log "callgrind: $name ($c)"
            cmd_argv "$c" "$path"
            if RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
                "${ARGV[@]}" >/dev/null 2>"$OUT/callgrind-$name-$c.txt"; then
                INSTR[$name-$c]="$(sed -n 's/.*refs: *//p' "$OUT/callgrind-$name-$c.txt" | tr -d ',' | tail -n1)"
            else
                fail "callgrind $(cmd_label "$c") on $name (see $OUT/callgrind-$name-$c.txt)"
            fi
        done
    done
fi

# ---------------------------------------------------------------- report
mb() { [ -n "${1:-}" ] && awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' || echo "?"; }
# Three decimals, and the verdict is on these digits: a ratio of 0.704 is
# not <= 0.7, which two decimals ("0.70") would have said it was.
ratio() { [ -n "${1:-}" ] && [ -n "${2:-}" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }' || echo "?"; }
verdict() { # value op target
    [ "$1" = "?" ] && { echo "?"; return; }
    awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = (op == "<=") ? (v <= t) : (v >= t); print ok ? "met" : "MISSED" }'
}

{
    echo "## Benchmark"
    echo
    echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/^Mem:/ { print $2 }') GiB; load average before $LOAD_BEFORE, after $LOAD_AFTER"
    echo "- $("$BIN" --version 2>/dev/null || echo 'async-task-ownership (version unknown)'); ruff $RUFF_VERSION; $(hyperfine --version); Python $PYVER"
    echo "- corpus: $CORPUS; stdlib: $STDLIB (copy of $STDLIB_SRC, .py files only, no site-packages)"
    echo "- $ROUNDS rounds x $RUNS runs per command (warm-up $WARMUP per round), order rotated each round"
    echo
    echo "| input | .py files | command | median s | min-max s | runs | CPU s (user+sys, mean) | (a)/(b) target <= 0.7 | (a)/(c) target <= 1.15 | peak RSS MB | exit |"
    echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for name in corpus stdlib; do
        read -r ma _ <<<"$(median_of "$name" a)" || true
        read -r mbb _ <<<"$(median_of "$name" b)" || true
        read -r mc _ <<<"$(median_of "$name" c)" || true
        rab="$(ratio "${ma:-}" "${mbb:-}")"
        rac="$(ratio "${ma:-}" "${mc:-}")"
        for c in a b c; do
            read -r m mn mx n cpu <<<"$(median_of "$name" "$c")" || true
            if [ "$c" = a ]; then
                cab="$rab ($(verdict "$rab" '<=' 0.7))"
                cac="$rac ($(verdict "$rac" '<=' 1.15))"
            else
                cab="" cac=""
            fi
            echo "| $name | ${INPUT_FILES[$name]} | $(cmd_label "$c") | ${m:-?} | ${mn:-?}-${mx:-?} | ${n:-?} | ${cpu:-?} | $cab | $cac | $(mb "${RSS[$name-$c]:-}") | ${EXIT[$name-$c]:-?} |"
        done
    done
    echo
    echo "Peak memory, target (a) <= ruff's:"
    for name in corpus stdlib; do
        a="${RSS[$name-a]:-}" b="${RSS[$name-b]:-}"
        if [ -n "$a" ] && [ -n "$b" ]; then
            echo "- $name: (a) $(mb "$a") MB vs (b) $(mb "$b") MB: $([ "$a" -le "$b" ] && echo met || echo MISSED)"
        fi
    done
    echo
    echo "Findings in the peak-memory run:"
    for name in corpus stdlib; do
        echo "- $name: (a) $(grep -cE ':[0-9]+:[0-9]+: ' "$OUT/out-$name-a.txt" || true) diagnostics, $(grep -c 'invalid-syntax' "$OUT/out-$name-a.txt" || true) of them invalid-syntax; (b) $(grep -c 'RUF006' "$OUT/out-$name-b.txt" || true) RUF006, $(grep -ciE 'syntax ?error|invalid-syntax' "$OUT/out-$name-b.txt" || true) syntax errors"
    done
    echo "- stdlib files left out of the copy as not UTF-8: ${STDLIB_SKIPPED:-none}"
    echo
    if [ "${#INSTR[@]}" -gt 0 ]; then
        echo "Instructions (callgrind, one worker thread, whole run):"
        for name in corpus stdlib; do
            ia="${INSTR[$name-a]:-}" ic="${INSTR[$name-c]:-}"
            echo "- $name: (a) ${ia:-?}, (c) ${ic:-?}: (a)/(c) $(awk -v a="${ia:-0}" -v c="${ic:-0}" 'BEGIN { if (c > 0) printf "%.3f", a / c; else printf "?" }')"
        done
        echo
    fi
    echo "### Scaling: (a) on N copies of the standard library (target: linear)"
    echo
    echo "| input | .py files | median s | s per copy | per copy / 1x | CPU s per copy | CPU per copy / 1x |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    python3 - "$OUT/scaling.json" "$(pyfiles "$STDLIB")" <<'EOF' || echo "| (no scaling results) | | | | |"
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
files = int(sys.argv[2])
base = cbase = None
for n in (1, 2, 4):
    r = res.get(f"scale-{n}")
    if r is None:
        continue
    per = r["median"] / n
    cper = (r["user"] + r["system"]) / n
    base = base or per
    cbase = cbase or cper
    print(f"| {n}x stdlib | {files * n} | {r['median']:.4f} | {per:.4f} | {per / base:.2f} | {cper:.4f} | {cper / cbase:.2f} |")
EOF
    echo
    python3 - "$OUT/many_spawns.json" <<'EOF' || echo "One class with 20,000 spawn sites: no result"
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
ok = "met" if r["median"] < 1.0 else "MISSED"
print(f"One class with 20,000 spawn sites (target: well under 1 s): median {r['median']:.4f} s "
      f"(min {r['min']:.4f}, max {r['max']:.4f}, {len(r['times'])} runs): {ok}")
EOF
    echo
    python3 - "$OUT/worst.json" <<'EOF' || echo "Worst cases: no result"
import json, sys
names = {
    "one_slot": "20,000 methods storing into one slot",
    "cancel_await": "5,000 methods spawning into one slot, 5,000 cancelling and awaiting it",
    "one_local": "5,000 tasks under one local name in one function",
    "loop_name": "2,000 sets cancelled by 2,000 loops under one loop name",
}
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"Worst case, {names.get(r['command'], r['command'])}: median {r['median']:.4f} s "
          f"(min {r['min']:.4f}, max {r['max']:.4f})  ")
EOF
    if [ "${#FAILURES[@]}" -gt 0 ]; then
        echo
        echo "### Failures"
        echo
        for f in "${FAILURES[@]}"; do echo "- $f"; done
    fi
} | tee "$OUT/report.md"

[ "${#FAILURES[@]}" -eq 0 ] || exit 1
