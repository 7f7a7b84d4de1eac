#!/bin/sh
# Checks a linked vDSO (vdso/vdso.mk): it must need no relocation (it is mapped as it is, at
# an address it was not linked for), have no writable segment, and define its functions with
# the LINUX_2.6 version the C libraries look for. Usage: vdso_check.sh FILE
set -e
f=$1
fail() { echo "vdso_check: $f: $*" >&2; exit 1; }
readelf -r "$f" | grep -q "There are no relocations" || fail "has relocations"
readelf -lW "$f" | awk '$1 == "LOAD" && $7 ~ /W/ { exit 1 }' || fail "has a writable segment"
for s in __vdso_clock_gettime __vdso_gettimeofday __vdso_time __vdso_getcpu; do
	readelf --dyn-syms -W "$f" | grep -q " $s@@LINUX_2.6\$" || fail "no $s@@LINUX_2.6"
done
