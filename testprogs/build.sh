#!/bin/sh
# Rebuilds the test program objects next to their sources (and those of malformed/ and rejected/).
# Usage: ./build.sh [clang]   (default clang-19)
set -eu
cd "$(dirname "$0")"
CLANG=${1:-${CLANG:-clang-19}}
CFLAGS="-O2 -g -target bpf -Wall -I/usr/include/x86_64-linux-gnu -I../include"
for src in *.c malformed/*.c rejected/*.c; do
	obj=${src%.c}.o
	echo "$CLANG $CFLAGS -c $src -o $obj"
	$CLANG $CFLAGS -c "$src" -o "$obj"
done
