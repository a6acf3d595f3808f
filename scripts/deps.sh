#!/bin/sh
# scripts/deps.sh - check for every tool and file twinboot's build and tests
# use; on Debian, install the missing packages (apt-get update, then
# apt-get install, through sudo when not root). Elsewhere, print the list
# and stop. `make deps` runs it; `make run` and `make test` depend on it.
#
# Each line: package, then the command or file that proves it is there.
set -eu

need() { # package probe
	case "$2" in
	/*) [ -e "$2" ] ;;
	py:*) /usr/bin/python3 -c "import ${2#py:}" 2>/dev/null ;;
	*) command -v "$2" >/dev/null 2>&1 ;;
	esac || missing="$missing $1"
}

missing=""
need make make
need gcc gcc
need gcc-multilib /usr/lib/gcc/x86_64-linux-gnu/12/32/libgcc.a
need clang clang
need libclang-rt-14-dev /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
need binutils objcopy
need nasm nasm
need mtools mcopy
need dosfstools fsck.fat
need gnu-efi /usr/lib/crt0-efi-x86_64.o
need ovmf /usr/share/OVMF/OVMF_CODE_4M.fd
need qemu-system-x86 qemu-system-x86_64
need qemu-utils qemu-img
need seabios /usr/share/seabios/bios-256k.bin
need gdisk sgdisk
need libcmocka-dev /usr/include/cmocka.h
need python3 /usr/bin/python3
need python3-pytest py:pytest
need python3-pil py:PIL
need python3-pytest-xdist py:xdist
need cppcheck cppcheck
need clang-format clang-format
need sbsigntool sbsign
need faketime faketime
need openssl openssl
# Duplicates are harmless to apt-get but make the message noisy.
missing=$(printf '%s\n' $missing | sort -u | tr '\n' ' ' | sed 's/ *$//')

if [ -z "$missing" ]; then
	exit 0
fi

if ! grep -qs '^ID=debian' /etc/os-release || ! command -v apt-get >/dev/null 2>&1; then
	echo "twinboot needs these Debian 12 packages (or your system's equivalents):" >&2
	echo "  $missing" >&2
	echo "This is not Debian, so nothing was installed. Install them and run make again." >&2
	exit 1
fi

sudo=""
if [ "$(id -u)" != 0 ]; then
	sudo="sudo"
	echo "deps: not root, so using sudo for apt-get"
fi
echo "deps: missing Debian packages: $missing"
echo "deps: running apt-get update"
$sudo apt-get update -q
echo "deps: running apt-get install -y $missing"
# shellcheck disable=SC2086 # the list is word-split on purpose
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
echo "deps: done"
