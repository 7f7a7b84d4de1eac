#!/bin/sh
# Builds the boot image: a cpio archive (newc format) of the staging directory plus extra host
# binaries placed in /bin by base name, and busybox's applet names linked to /bin/busybox. The staging directory itself is left untouched, so a
# binary given once does not stay in later images. Usage: mkimage.sh STAGING OUT [extra...]
set -e
root=$1; out=$2; shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$root/." "$tmp/"
mkdir -p "$tmp/bin"
for f in "$@"; do
	cp "$f" "$tmp/bin/$(basename "$f")"
done
# busybox's applets under their own names, as hard links (stored once in the archive), where
# Tessera has no program of that name itself
if [ -x "$tmp/bin/busybox" ]; then
	for a in $("$tmp/bin/busybox" --list); do
		[ -e "$tmp/bin/$a" ] || ln "$tmp/bin/busybox" "$tmp/bin/$a"
	done
fi
(cd "$tmp" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
