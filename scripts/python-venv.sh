#!/usr/bin/env bash
# python-venv.sh — the Python packages the conformance tests read trainscope's files with: the real
# smdebug (1.0.34, with the pins its README needs: numpy<2 because it calls ndarray.tostring,
# pandas<2.3, and requests/psutil it imports without declaring) and TensorBoard's event reader.
#
#   bash scripts/python-venv.sh        # creates or refreshes .venv-conformance, prints its python
#
# Idempotent: a venv whose stamp matches the requirements below is reused as is.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-conformance
requirements=(smdebug==1.0.34 smdebug-rulesconfig==1.0.1 "numpy<2" "pandas<2.3" requests psutil tensorboard)
stamp="${requirements[*]}"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "$venv/bin/python"
    exit 0
fi
rm -rf "$venv"
python3 -m venv "$venv" >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check "${requirements[@]}" >&2
"$venv/bin/python" -c "import smdebug.trials, tensorboard.backend.event_processing.event_accumulator" >&2
echo "$stamp" > "$venv/.stamp"
echo "$venv/bin/python"
