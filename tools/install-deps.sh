#!/bin/sh
# Installs every Debian package Tessera needs to build, boot, test and benchmark.
set -e
PKGS="qemu-system-x86 musl-tools busybox-static bash-static zsh-static dietlibc-dev cpio e2fsprogs gcc make python3 linux-image-amd64 python3-matplotlib chromium apache2-utils"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $PKGS
