#!/bin/sh
# scripts/usb.sh DEV IMAGE - write a twinboot image to a USB stick, safely.
# (make usb DEV=/dev/sdX)
#
# Refuses: no DEV; anything not a block device; a partition instead of a
# whole disk; a disk the kernel does not call removable (sysfs
# `removable`); a disk with a mounted partition or one used by
# device-mapper/md (sysfs `holders`); the disk holding /. Mounts are matched
# by device number (major:minor, field 3 of /proc/self/mountinfo, see
# proc(5)), which also catches /dev/root and /dev/disk/by-* sources. Shows
# model and size, writes only after the user types "yes", then reads the
# image back and compares.
#
# Tests point TWINBOOT_SYSFS, TWINBOOT_PROC and TWINBOOT_DEV at a fake /sys,
# /proc and /dev; TWINBOOT_ASSUME_BLOCK=1 lets them use a regular file as
# the "device" (nobody can mknod a fake block device safely).
set -eu
sys=${TWINBOOT_SYSFS:-/sys}
proc=${TWINBOOT_PROC:-/proc}
devfs=${TWINBOOT_DEV:-/dev}
dev=${1:-}
image=${2:-}

die() {
	echo "usb: $*" >&2
	exit 1
}

[ -n "$dev" ] || die "give the stick: make usb DEV=/dev/sdX (lsblk lists the disks)"
[ -f "$image" ] || die "$image is missing: run make first"
# /dev/disk/by-id/usb-... names are symlinks: judge the device they name.
case "$dev" in
/dev/*) dev=$devfs/${dev#/dev/} ;;
esac
[ -e "$dev" ] || die "$1 does not exist"
dev=$(readlink -f -- "$dev")
if [ ! -b "$dev" ] && [ "${TWINBOOT_ASSUME_BLOCK:-0}" != 1 ]; then
	die "$1 is not a block device"
fi
name=$(basename "$dev")
[ -d "$sys/class/block/$name" ] || die "$1: no $sys/class/block/$name: not a disk the kernel knows"
[ ! -e "$sys/class/block/$name/partition" ] ||
	die "$1 is a partition, not a whole disk (use the disk, e.g. /dev/sdb, not /dev/sdb1)"
[ -d "$sys/block/$name" ] || die "$1 is not a whole disk"
removable=$(cat "$sys/block/$name/removable" 2>/dev/null || echo "?")
[ "$removable" = 1 ] ||
	die "$1 is not a removable disk (sysfs removable=$removable); refusing to overwrite it"

# The disk's device numbers: its own and its partitions'.
numbers=$(cat "$sys/block/$name/dev" "$sys/block/$name"/*/dev 2>/dev/null || true)
# Device-mapper/md on top (LVM, dm-crypt, RAID): listed under holders/.
for h in "$sys/block/$name"/holders/* "$sys/block/$name"/*/holders/*; do
	if [ -e "$h" ]; then
		die "$1 is in use by $(basename "$h") (device-mapper or md); stop that first"
	fi
done
# mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - FSTYPE SOURCE ...".
# A mount is the disk's if its device number is one of the disk's, or (for
# btrfs, whose numbers are anonymous) its source is /dev/NAME[p]N.
mounts=$proc/self/mountinfo
[ -r "$mounts" ] || die "cannot read $mounts to see what is mounted"
ours() {
	awk -v nums=" $(echo $numbers) " -v disk="/dev/$name" '
	{
		for (i = 7; i < NF && $i != "-"; i++)
			;
		src = $(i + 2)
		if (index(nums, " " $3 " ") || src == disk || \
		    (index(src, disk) == 1 && substr(src, length(disk) + 1) ~ /^p?[0-9]+$/))
			print $5
	}' "$mounts"
}
ours | grep -qx / && die "$1 holds the root file system (/)"
mounted=$(ours | head -n 1)
[ -z "$mounted" ] || die "$1 (or a partition of it) is mounted on $mounted; unmount it first"

model=$(tr -s ' ' <"$sys/block/$name/device/model" 2>/dev/null || echo "unknown model")
sectors=$(cat "$sys/block/$name/size" 2>/dev/null || echo 0)
bytes=$(wc -c <"$image")
[ "$sectors" -eq 0 ] || [ $((sectors * 512)) -ge "$bytes" ] ||
	die "$1 holds $((sectors * 512)) bytes; $image needs $bytes"
echo "usb: $1: $model, $((sectors / 2048)) MiB"
echo "usb: everything on it will be replaced by $image ($((bytes / 1048576)) MiB)."
printf 'usb: type yes to write: '
read -r answer || answer=""
[ "$answer" = yes ] || die "not written (you typed '$answer')"

dd if="$image" of="$dev" bs=4M conv=fsync oflag=direct status=progress
sync
echo "usb: verifying"
if cmp -n "$bytes" "$image" "$dev"; then
	echo "usb: done: $1 boots with BIOS and UEFI"
else
	die "read-back of $1 differs from $image: the stick may be faulty"
fi
