#!/usr/bin/env bash
# The notebooks whose numbers rest on bfloat16 training (the resnet's), tested once more with it off
# (LOG5_BF16=0), as they run on a CPU without AVX-512 BF16. On such a CPU the ordinary test run has
# already done this, and the script says so and stops.
#
#     bash tools/check_bf16_off.sh                          # 05_resnet and 07_all_digits, side by side
#     bash tools/check_bf16_off.sh nbs/05_resnet.ipynb      # some of them
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python -c "import sys; from fastbook_log5.resnet_speed import bf16_ok; sys.exit(0 if bf16_ok('cpu') else 1)"; then
  echo "this CPU trains in float32 anyway (no AVX-512 BF16, or LOG5_BF16=0 already): the ordinary test run covered it"
  exit 0
fi
nbs=("$@"); [ ${#nbs[@]} -gt 0 ] || nbs=(nbs/05_resnet.ipynb nbs/07_all_digits.ipynb)
pids=()
for nb in "${nbs[@]}"; do
  (LOG5_BF16=0 OMP_NUM_THREADS=1 nbdev_test --path "$nb" > "/tmp/bf16_off_$(basename "$nb").log" 2>&1 \
     && echo "$nb: passed with bfloat16 off" || { echo "$nb: FAILED with bfloat16 off:"; tail -20 "/tmp/bf16_off_$(basename "$nb").log"; exit 1; }) &
  pids+=($!)
done
rc=0; for p in "${pids[@]}"; do wait "$p" || rc=1; done
exit $rc
