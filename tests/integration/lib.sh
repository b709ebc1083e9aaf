# Shared helpers for integration tests (sourced).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RMB=${RMB:-$ROOT/build/rmapbench}
TMP=$(mktemp -d /tmp/rmapbench-it.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

skip() { echo "skip: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root (BPF probes, fork trees)"; }
# BPF slab accounting must load on this kernel, else the test cannot measure
need_bpf() {
	need_root
	"$RMB" stat --json "$TMP/bpfcheck.json" -- /bin/true >/dev/null 2>&1 || true
	python3 - "$TMP/bpfcheck.json" <<'PY' || skip "BPF slab accounting unavailable on this kernel"
import json, sys
sys.exit(0 if json.load(open(sys.argv[1]))["slab_accounting"]["available"] else 1)
PY
}
# jq-like query: py FILE 'expr using r' → prints result
py() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }
# run_rc EXPECTED WHAT CMD...: CMD must exit EXPECTED; its output in $TMP/out, $TMP/err
run_rc() {
	local want=$1 what=$2 rc
	shift 2
	set +e
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	[ "$rc" -eq "$want" ] || fail "$what: exit $rc, expected $want: $(head -c 600 "$TMP/err")"
}
