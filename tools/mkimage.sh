#!/bin/sh
# Builds the boot image: a cpio archive (newc format) of the staging directory, plus any extra
# host binaries copied into /bin by base name. Usage: mkimage.sh STAGING OUT [extra...]
set -e
root=$1; out=$2; shift 2
mkdir -p "$root/bin"
for f in "$@"; do
	cp "$f" "$root/bin/$(basename "$f")"
done
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
