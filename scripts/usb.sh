#!/bin/sh
# scripts/usb.sh DEV IMAGE - write a twinboot image to a USB stick, safely.
# (make usb DEV=/dev/sdX)
#
# Refuses: no DEV; anything not a block device; a partition instead of a
# whole disk; a disk the kernel does not call removable; a disk with a
# mounted partition; the disk holding /. Shows model and size and writes
# only after the user types "yes"; then reads the image back and compares.
# TWINBOOT_SYSFS and TWINBOOT_PROC let tests point at a fake /sys and /proc;
# TWINBOOT_ASSUME_BLOCK=1 lets them pass a regular file as the "device".
set -eu
sys=${TWINBOOT_SYSFS:-/sys}
proc=${TWINBOOT_PROC:-/proc}
dev=${1:-}
image=${2:-}

die() {
	echo "usb: $*" >&2
	exit 1
}

[ -n "$dev" ] || die "give the stick: make usb DEV=/dev/sdX (see lsblk)"
[ -f "$image" ] || die "$image is missing: run make first"
if [ ! -b "$dev" ] && [ "${TWINBOOT_ASSUME_BLOCK:-0}" != 1 ]; then
	die "$dev is not a block device"
fi
name=$(basename "$dev")
[ -d "$sys/block/$name" ] || die "$dev is not a whole disk (a partition? use the disk, e.g. /dev/sdb)"
[ "$(cat "$sys/block/$name/removable" 2>/dev/null || echo 0)" = 1 ] ||
	die "$dev is not a removable disk; refusing to overwrite it"

# Mounted? Any mount source that is the disk or one of its partitions.
if awk -v d="/dev/$name" '$1 == d || index($1, d) == 1 { found = 1 } END { exit !found }' \
	"$proc/mounts"; then
	die "$dev (or a partition of it) is mounted; unmount it first"
fi
root=$(awk '$2 == "/" { print $1 }' "$proc/mounts" | head -n 1)
case "$root" in
/dev/"$name"*) die "$dev holds the root file system" ;;
esac

model=$(cat "$sys/block/$name/device/model" 2>/dev/null | tr -s ' ' || echo "unknown model")
sectors=$(cat "$sys/block/$name/size" 2>/dev/null || echo 0)
echo "usb: $dev: $model, $((sectors / 2048)) MiB"
echo "usb: everything on it will be replaced by $image ($(($(wc -c <"$image") / 1048576)) MiB)."
printf 'usb: type yes to write: '
read -r answer || answer=""
[ "$answer" = yes ] || die "not written (you typed '$answer')"

dd if="$image" of="$dev" bs=4M conv=fsync oflag=direct status=progress
sync
echo "usb: verifying"
size=$(wc -c <"$image")
if cmp -n "$size" "$image" "$dev"; then
	echo "usb: done: $dev boots with BIOS and UEFI"
else
	die "read-back of $dev differs from $image: the stick may be faulty"
fi
