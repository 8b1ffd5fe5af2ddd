#!/usr/bin/env bash
# No field, enum value or RPC that callers may rely on can break. Two references:
# - .ci/contract.binpb, the published contract (refresh with `make contract-baseline` after an
#   additive change lands), which works in any clone, shallow or not;
# - the previous commit, when the history has one with proto/ in it.
set -euo pipefail
buf breaking --against .ci/contract.binpb
echo "buf breaking: no breaking changes against .ci/contract.binpb"
if [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = "true" ]; then
  git fetch --quiet --deepen=1 || true
fi
if ! git rev-parse --verify --quiet HEAD~1 >/dev/null; then
  echo "buf breaking: no previous commit to compare with; skipped"
  exit 0
fi
if [ -z "$(git ls-tree -r --name-only HEAD~1 -- proto)" ]; then
  echo "buf breaking: the previous commit has no proto/; skipped"
  exit 0
fi
buf breaking --against '.git#ref=HEAD~1'
echo "buf breaking: no breaking changes against HEAD~1"
