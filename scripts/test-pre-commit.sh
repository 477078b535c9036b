#!/usr/bin/env bash
# The pre-commit path, end to end: run this repository's `async-task-ownership`
# hook (.pre-commit-hooks.yaml, `language: python`) with `pre-commit try-repo`
# on a copy of the example project, as a user's `pre-commit run` would.
#
#   scripts/test-pre-commit.sh
#
# Expected: the hook FAILS on the example project (it has findings) and its
# output names ATO codes; it PASSES on a project without findings.
#
# `pre-commit try-repo` installs the hook from a git commit: uncommitted and
# untracked files of the repository are not part of it. So the working tree
# (tracked and untracked files, minus what .gitignore excludes) is committed
# into a throw-away snapshot repository under target/, never in this one.
#
# Needs python3 (with venv), git, a Rust toolchain and PyPI (pre-commit and,
# in pip's isolated build environment, maturin). Works under
# target/pre-commit-test/ (git-ignored). pre-commit builds the hook's
# environment with `pip install .`; cargo's output goes to $CARGO_TARGET_DIR
# (default: the repository's target/), so after scripts/test-pip-install.sh
# the release build is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

PYTHON="${PYTHON:-python3}"
PRE_COMMIT_VERSION="${PRE_COMMIT_VERSION:-4.7.0}"
WORK="$ROOT/target/pre-commit-test"
VENV="$WORK/venv"
HOOK_REPO="$WORK/hook-repo"
PROJECT="$WORK/project"
CLEAN_PROJECT="$WORK/clean-project"
EXAMPLE="examples"
[ -d "$EXAMPLE" ] || EXAMPLE="tests/fixtures"

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
git_commit() {
  git -C "$1" -c user.name=test -c user.email=test@example.invalid \
    -c commit.gpgsign=false commit --quiet -m "$2"
}

rm -rf "$WORK"
mkdir -p "$WORK"
export PRE_COMMIT_HOME="$WORK/pre-commit-home"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

step "$PYTHON -m venv target/pre-commit-test/venv && pip install pre-commit==$PRE_COMMIT_VERSION"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet "pre-commit==$PRE_COMMIT_VERSION"
PRE_COMMIT="$VENV/bin/pre-commit"
"$PRE_COMMIT" --version

step "snapshot of the working tree -> target/pre-commit-test/hook-repo (a temporary git repository)"
git init --quiet "$HOOK_REPO"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do
    if [ -e "$f" ]; then printf '%s\0' "$f"; fi
  done |
  tar --null -T - -cf - | tar -xf - -C "$HOOK_REPO"
git -C "$HOOK_REPO" add -A
git_commit "$HOOK_REPO" "snapshot of the working tree"
[ -f "$HOOK_REPO/.pre-commit-hooks.yaml" ] || fail "no .pre-commit-hooks.yaml in the snapshot"
echo "files: $(git -C "$HOOK_REPO" ls-files | wc -l), commit $(git -C "$HOOK_REPO" rev-parse --short HEAD)"

step "copy of $EXAMPLE/ -> target/pre-commit-test/project (git init, add, commit)"
mkdir -p "$PROJECT"
cp -R "$EXAMPLE/." "$PROJECT/"
git -C "$PROJECT" init --quiet
git -C "$PROJECT" add -A
git_commit "$PROJECT" "example project"

step "(cd project && pre-commit try-repo hook-repo async-task-ownership --all-files)   # expected to fail"
set +e
(cd "$PROJECT" && "$PRE_COMMIT" try-repo "$HOOK_REPO" async-task-ownership --all-files --verbose) \
  >"$WORK/try-repo.out" 2>&1
status=$?
set -e
cat "$WORK/try-repo.out"
echo "exit status: $status"
[ "$status" -eq 1 ] || fail "expected the hook to fail (exit status 1) on the example project, got $status"
grep -Eq '^async-task-ownership\.+Failed' "$WORK/try-repo.out" || fail "the hook did not report Failed"
grep -Eq '(^|: )ATO[0-9]{3} ' "$WORK/try-repo.out" || fail "the hook output names no ATO code"
grep -q 'exit code: 1' "$WORK/try-repo.out" || fail "the command did not exit with 1 (findings)"
codes="$(grep -Eo '(^|: )ATO[0-9]{3}' "$WORK/try-repo.out" | grep -Eo 'ATO[0-9]{3}' | sort | uniq -c | tr -s ' ' | paste -sd, -)"
echo "hook failed as expected; codes:$codes"

step "(cd clean-project && pre-commit try-repo hook-repo async-task-ownership --all-files)   # expected to pass"
mkdir -p "$CLEAN_PROJECT"
cat >"$CLEAN_PROJECT/service.py" <<'EOF'
import asyncio


async def main() -> None:
    async with asyncio.TaskGroup() as group:
        group.create_task(asyncio.sleep(0))
    task = asyncio.create_task(asyncio.sleep(0))
    await task
EOF
git -C "$CLEAN_PROJECT" init --quiet
git -C "$CLEAN_PROJECT" add -A
git_commit "$CLEAN_PROJECT" "clean project"
set +e
(cd "$CLEAN_PROJECT" && "$PRE_COMMIT" try-repo "$HOOK_REPO" async-task-ownership --all-files) \
  >"$WORK/try-repo-clean.out" 2>&1
status=$?
set -e
cat "$WORK/try-repo-clean.out"
echo "exit status: $status"
[ "$status" -eq 0 ] || fail "expected the hook to pass on a project without findings, got $status"
grep -Eq '^async-task-ownership\.+Passed' "$WORK/try-repo-clean.out" || fail "the hook did not report Passed"

echo
echo "== ran"
for r in "${RAN[@]}"; do echo "  $r"; done
echo "pre-commit hook test passed in $((SECONDS - START))s"
