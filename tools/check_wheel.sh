#!/usr/bin/env bash
# Build the wheel, install it (not editable) into a fresh virtual environment, and check from outside the
# source tree that the package files came with it: `log5 quiz` asks and answers, and the draw page is whole.
# The environment sees the system's packages (torch and fastai are large), but fastbook_log5 must be the wheel's.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/src"; git ls-files -co --exclude-standard -z | xargs -0 tar c | tar x -C "$tmp/src"  # the files a clone has, no build/ left over
python -m pip wheel -q --no-deps -w "$tmp/dist" "$tmp/src" >/dev/null
python -m venv --system-site-packages "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q --no-deps --disable-pip-version-check "$tmp"/dist/fastbook_log5-*.whl
cd "$tmp"
"$tmp/venv/bin/python" - <<'PY'
import fastbook_log5, sys
from pathlib import Path
assert Path(fastbook_log5.__file__).is_relative_to(Path(sys.prefix)), f"fastbook_log5 came from {fastbook_log5.__file__}, not the wheel"
from fastbook_log5.quiz import QUESTIONS
assert len(QUESTIONS)==37, len(QUESTIONS)
from fastbook_log5.draw import draw_page
page = draw_page({})
for o in ('function toMnist', 'function widget', '.log5draw .l5-pad', 'class="l5-models"'): assert o in page, o
assert '__JS__' not in page and '__CSS__' not in page
print(f"wheel: {Path(fastbook_log5.__file__).parent.relative_to(sys.prefix)}: 37 questions, draw page of {len(page):,} characters")
PY
out=$(printf 'a grid of numbers\ny\n' | "$tmp/venv/bin/log5" quiz --only 1 --progress "$tmp/quiz.json")
grep -q 'score: 1/1' <<<"$out" || { echo "$out"; echo "log5 quiz from the wheel did not score" >&2; exit 1; }
test "$("$tmp/venv/bin/log5" quiz --list | grep -c '^[0-9]*\. ')" -eq 37
echo "wheel: log5 quiz asked, graded and saved; --list gave 37 questions"
