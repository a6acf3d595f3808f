#!/bin/sh
# tests/unit/disk_images.sh DIR - make the real disk images test_fat and
# test_gpt read: FAT12/16/32 volumes made by mformat and filled by mcopy
# (long names, nested directories, a multi-cluster file and a fragmented
# one; on FAT32 a file of 2048 clusters), and a GPT disk made by sgdisk with an ESP. Deterministic content,
# so the C tests can regenerate what they expect.
set -eu
dir=$1
# Made in a scratch directory and renamed into place one by one, so two
# test programs running at once (make -j) never read a half-made image.
mkdir -p "$dir"
final=$(cd "$dir" && pwd)
work=$(mktemp -d "$final/tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export MTOOLS_SKIP_CHECK=1

# Content: "big" is 100000 bytes of a known pattern (see test_fat.c).
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "%c", 65 + (i * 7 + i / 256) % 26 }' > big.bin
printf 'hello from a long file name\n' > long.txt
printf 'A' > a.bin
head -c 20000 big.bin > frag-gap.bin
# "chain" is "big" over and over, 1 MiB: on the FAT32 volume (512-byte
# clusters) its chain fills 16 sectors of the FAT.
for i in $(seq 11); do cat big.bin; done | head -c 1048576 > chain.bin
# Enough long-named files that a directory spans many clusters (and the
# FAT12/16 fixed root many sectors): "file number NN.txt" holds "NN".
mkdir many root
for i in $(seq 10 49); do
	printf '%s\n' "$i" > "many/file number $i.txt"
	if [ "$i" -lt 30 ]; then
		printf '%s\n' "$i" > "root/root file $i.txt"
	fi
done

make_fat() { # name, mformat args...
	name=$1
	shift
	rm -f "$name"
	mformat -C -i "$name" "$@" ::
	mmd -i "$name" ::/boot ::/boot/deep ::/EFI ::/EFI/BOOT
	mcopy -i "$name" long.txt "::/boot/A Long File Name.txt"
	mcopy -i "$name" a.bin ::/boot/deep/tiny.bin
	# Fragment: a gap file, the big file after it, then delete the gap
	# and write "big" again so its chain wraps around the hole.
	mcopy -i "$name" frag-gap.bin ::/EFI/gap.bin
	mcopy -i "$name" big.bin ::/EFI/BOOT/first.bin
	mdel -i "$name" ::/EFI/gap.bin
	mcopy -i "$name" big.bin ::/boot/big.bin
	mcopy -i "$name" big.bin ::/boot/kernel.elf
	mmd -i "$name" ::/boot/many
	mcopy -i "$name" many/* ::/boot/many/
	mcopy -i "$name" root/* ::/
}
make_fat fat12.img -T 4000 -h 2 -s 16 -c 1
make_fat fat16.img -T 65536 -h 16 -s 32 -c 2
make_fat fat32.img -F -T 140000 -h 16 -s 32 -c 1
mcopy -i fat32.img chain.bin ::/boot/chain.bin

# A GPT disk: 34 MiB, ESP from LBA 2048, its FAT the fat16 image's.
rm -f gpt.img
truncate -s 34M gpt.img
sgdisk -a 1 -n 1:34:2047 -t 1:EF02 -n 2:2048:67550 -t 2:EF00 gpt.img >/dev/null
dd if=fat16.img of=gpt.img bs=512 seek=2048 conv=notrunc status=none
mv big.bin long.txt a.bin fat12.img fat16.img fat32.img gpt.img "$final/"
