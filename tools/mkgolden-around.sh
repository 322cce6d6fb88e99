#!/usr/bin/env bash
# Regenerate the golden outputs of the around parity tests from the reference, Debian's sysdig 0.29.3: for
# every case of test/golden/around/CASES on each of its captures, in a scratch directory,
#   sysdig -r CAPTURE -c CHISEL "dump.scap ARGS" FILTER    -> CAPTURE/ID.out.gz  (the chisel's output)
#   sysdig -r dump.scap                                    -> CAPTURE/ID.text.gz (the dump, as sysdig prints it)
#   sysdig -r dump.scap -p "$P"                            -> CAPTURE/ID.p.gz
#   sysdig -r dump.scap -p "$Q"                            -> CAPTURE/ID.q.gz    (no event numbers)
# usage: tools/mkgolden-around.sh     (run from the project root; review with git diff; never edit goldens)
set -euo pipefail
command -v sysdig >/dev/null || { echo "mkgolden-around: needs sysdig (apt-get install -y sysdig)" >&2; exit 2; }
P='%evt.num %evt.type %proc.name %fd.name'
Q='*%evt.rawtime %evt.cpu %thread.tid %evt.dir %evt.type %proc.name %fd.name'
out=$PWD/test/golden/around
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
capture() {
  local n=$1 f
  for f in test/data/$n.scap test/captures/$n.scap test/captures/logs/$n.scap; do
    [[ -f $f ]] && { echo "$PWD/$f"; return; }
  done
  echo "mkgolden-around: no capture $n" >&2; exit 1
}
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }
n=0
while IFS='|' read -r id caps chisel args filter; do
  id=$(trim "$id"); [[ -z $id || $id == \#* ]] && continue
  caps=$(trim "$caps"); chisel=$(trim "$chisel"); args=$(trim "$args"); filter=$(trim "$filter")
  IFS=',' read -ra names <<< "$caps"
  for c in "${names[@]}"; do
    f=$(capture "$c")
    mkdir -p "$out/$c"
    rm -f "$scratch/dump.scap"
    cmd=(sysdig -r "$f" -c "$chisel" "dump.scap${args:+ $args}")
    [[ -n $filter ]] && cmd+=("$filter")
    (cd "$scratch" && "${cmd[@]}" 2>/dev/null) | gzip -9n > "$out/$c/$id.out.gz"
    (cd "$scratch" && sysdig -r dump.scap 2>/dev/null) | gzip -9n > "$out/$c/$id.text.gz"
    (cd "$scratch" && sysdig -r dump.scap -p "$P" 2>/dev/null) | gzip -9n > "$out/$c/$id.p.gz"
    (cd "$scratch" && sysdig -r dump.scap -p "$Q" 2>/dev/null) | gzip -9n > "$out/$c/$id.q.gz"
    n=$((n + 1))
  done
done < "$out/CASES"
echo "mkgolden-around: wrote $n cases in $out"
