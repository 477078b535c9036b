#!/usr/bin/env bash
# The pip path, end to end: build the `async-task-ownership` wheel with maturin
# (configured by the root pyproject.toml, `bindings = "bin"`), install it into a
# fresh virtual environment, and run the installed command on the example
# project from there.
#
#   scripts/test-pip-install.sh
#
# Needs python3 (with venv), a Rust toolchain and PyPI (for maturin). Works
# under target/pip-test/ (git-ignored) and writes the wheel to target/wheels/.
# The first run builds the release binary (a few minutes on 2 cores); later runs
# reuse cargo's cache. Exit status 0 when every step passed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

PYTHON="${PYTHON:-python3}"
MATURIN_VERSION="${MATURIN_VERSION:-1.16.0}"
WORK="$ROOT/target/pip-test"
BUILD_VENV="$WORK/build-venv"
USER_VENV="$WORK/user-venv"
WHEELS="$ROOT/target/wheels"
# The example project (written for the CLI); a fixture if it is missing.
TARGET_PATH="examples/"
[ -d "$TARGET_PATH" ] || TARGET_PATH="tests/fixtures/owners.py"

START=$SECONDS
RAN=()
step() {
  echo
  echo "== $*"
  RAN+=("$*")
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

rm -rf "$WORK"
mkdir -p "$WORK" "$WHEELS"
rm -f "$WHEELS"/async_task_ownership-*.whl

step "$PYTHON -m venv target/pip-test/build-venv && pip install maturin==$MATURIN_VERSION"
"$PYTHON" -m venv "$BUILD_VENV"
"$BUILD_VENV/bin/python" -m pip install --quiet "maturin==$MATURIN_VERSION"
"$BUILD_VENV/bin/maturin" --version

step "maturin build --release -o target/wheels"
"$BUILD_VENV/bin/maturin" build --release -o "$WHEELS"
shopt -s nullglob
built=("$WHEELS"/async_task_ownership-*.whl)
shopt -u nullglob
[ "${#built[@]}" -eq 1 ] || fail "expected one wheel in target/wheels, found ${#built[@]}"
WHEEL="${built[0]}"
echo "wheel: ${WHEEL#"$ROOT"/} ($(du -h "$WHEEL" | cut -f1))"
# The wheel must carry the executable as a script of the package.
"$PYTHON" - "$WHEEL" <<'EOF'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
scripts = [n for n in names if n.endswith(".data/scripts/async-task-ownership")]
assert scripts, f"no async-task-ownership script in the wheel: {names}"
print("contains:", scripts[0])
EOF

step "$PYTHON -m venv target/pip-test/user-venv && pip install --no-index ${WHEEL#"$ROOT"/}"
"$PYTHON" -m venv "$USER_VENV"
"$USER_VENV/bin/python" -m pip install --quiet --no-index "$WHEEL"

# From here on, the command is found on the PATH of the fresh environment, as a
# user who ran `source .venv/bin/activate` would find it.
export PATH="$USER_VENV/bin:$PATH"
export VIRTUAL_ENV="$USER_VENV"
found="$(command -v async-task-ownership)"
[ "$found" = "$USER_VENV/bin/async-task-ownership" ] || fail "async-task-ownership resolves to $found"
echo "on PATH: ${found#"$ROOT"/}"

step "async-task-ownership --version"
version="$(async-task-ownership --version)"
echo "$version"
expected="$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -n1)"
[ "$version" = "async-task-ownership $expected" ] || fail "expected version $expected, got: $version"

step "async-task-ownership check $TARGET_PATH"
set +e
async-task-ownership check "$TARGET_PATH" >"$WORK/check.out" 2>"$WORK/check.err"
status=$?
set -e
cat "$WORK/check.out"
cat "$WORK/check.err" >&2
echo "exit status: $status"
case "$status" in
  0 | 1) ;;
  *) fail "async-task-ownership check exited with $status" ;;
esac
if [ "$status" -eq 1 ]; then
  grep -Eq '(^|: )ATO[0-9]{3} ' "$WORK/check.out" || fail "exit status 1 but no ATO diagnostic in the output"
fi

echo
echo "== ran"
for r in "${RAN[@]}"; do echo "  $r"; done
echo "pip install test passed in $((SECONDS - START))s"
