/* tools/mkimage/fatfs.c - the ESP's file system, made by mtools.
 *
 * mformat/mmd/mcopy work on a byte offset of the image (`-i IMAGE@@OFF`),
 * so no root, loop device or mount is needed. They run through
 * fork/execvp, never a shell, so file names need no quoting.
 *
 * Reproducible bytes: mtools (4.0.32 here) stamps every directory entry
 * with SOURCE_DATE_EPOCH when it is set (mcopy without -m ignores the
 * source files' times), converted to local time, so mkimage sets both
 * SOURCE_DATE_EPOCH (inputs_epoch()) and TZ=UTC0 for its children. The
 * volume serial (-N) and label (-v) are fixed too.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mkimage.h"

/* The index of argv's last argument: the file a tool works on. */
static int argc_last(char *const argv[])
{
	int n = 0;
	while (argv[n + 1])
		n++;
	return n;
}

/* The first line of what a failed tool said, for our one-line message. */
static void first_line(int fd, char *out, size_t size)
{
	size_t n = 0;
	char c;
	while (read(fd, &c, 1) == 1)
		if (n + 1 < size && c != '\n' && (n || c != ' '))
			out[n++] = c;
		else if (c == '\n' && n)
			size = n + 1; /* keep draining, store no more */
	out[n] = 0;
}

/* Run argv with its stderr captured; with `input`, feed its len bytes on
 * stdin (mcopy - ::file). On failure print one line naming the tool and
 * the first line it printed. */
static int run(char *const argv[], const char *input, size_t len)
{
	int in[2] = {-1, -1}, err[2];
	char said[200] = "";
	if ((input && pipe(in)) || pipe(err))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (input) {
			dup2(in[0], 0);
			close(in[0]);
			close(in[1]);
		}
		dup2(err[1], 2);
		close(err[0]);
		close(err[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run it (install mtools)\n");
		_exit(127);
	}
	close(err[1]);
	if (input) {
		/* An mcopy that fails before reading must not kill us. */
		signal(SIGPIPE, SIG_IGN);
		close(in[0]);
		if (write(in[1], input, len) != (ssize_t)len)
			snprintf(said, sizeof(said), "it did not read the config");
		close(in[1]);
	}
	first_line(err[0], said + strlen(said), sizeof(said) - strlen(said));
	close(err[0]);
	int status;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "mkimage: %s %s failed: %s\n", argv[0], argv[argc_last(argv)],
		        *said ? said : "no message");
		return -1;
	}
	return 0;
}

/* Sectors per cluster: as many as the FAT type allows, up to
 * ESP_CLUSTER_MAX_SECTORS (32 KiB). Every FAT driver walks a file's
 * cluster chain link by link; from OVMF's hand-off under TCG, a 64 MiB
 * kernel took 39 ms in mformat's own 2 KiB clusters, 34 ms in 4 KiB and
 * 26 ms in 8 KiB ones; an EFI application reading the same bytes in one
 * BlockIo call took 22 ms (virtio-blk, medians of 5 boots). The FAT type
 * follows from the cluster count alone: FAT16 needs at least 4085
 * clusters and FAT32 65525; the margins leave room for the FATs and the
 * root directory, which are not clusters. FAT12 (under 4085), which has
 * room for 32 KiB clusters in ESPs under 128 MiB, was tried: edk2's FAT
 * driver caches a FAT12 volume in 8 KiB pages, not 64 KiB, so every boot
 * made more disk reads for what only a big kernel's chain gained
 * (docs/BENCHMARKS.md, *OVMF's FAT driver*). */
static unsigned cluster_sectors(uint64_t esp_sectors, int fat32)
{
	const uint64_t least = fat32 ? 65525 + 4096 : 4085 + 1024;
	unsigned spc = ESP_CLUSTER_MAX_SECTORS;
	while (spc > 1 && esp_sectors / spc < least)
		spc /= 2;
	return spc;
}

int fatfs_make(const char *image, uint64_t esp_sectors, int fat32, const struct options *opt,
               const struct inputs *in, uint32_t serial)
{
	char target[4200], sectors[32], serial_hex[16], hidden[16], cluster[8];
	snprintf(target, sizeof(target), "%s@@%u", image, ESP_LBA * SECTOR);
	snprintf(sectors, sizeof(sectors), "%llu", (unsigned long long)esp_sectors);
	snprintf(serial_hex, sizeof(serial_hex), "%08x", serial);
	snprintf(hidden, sizeof(hidden), "%u", ESP_LBA);
	/* SKIP_CHECK: the image's FAT is ours and the geometry odd on purpose. */
	setenv("MTOOLS_SKIP_CHECK", "1", 1);
	setenv("SOURCE_DATE_EPOCH", inputs_epoch(), 1);
	setenv("TZ", "UTC0", 1);

	/* -H: hidden sectors = the partition's start, as firmware expects;
	 * -N: a fixed volume serial; -c: the cluster size; -F: FAT32 for
	 * large ESPs. */
	snprintf(cluster, sizeof(cluster), "%u", cluster_sectors(esp_sectors, fat32));
	char *mformat[20] = {"mformat",  "-i", target,     "-T", sectors, "-h",
	                     "64",       "-s", "32",       "-H", hidden,  "-N",
	                     serial_hex, "-v", "TWINBOOT", "-c", cluster};
	unsigned n = 17;
	if (fat32)
		mformat[n++] = "-F";
	mformat[n++] = "::";
	mformat[n] = NULL;
	char *mmd[] = {"mmd", "-i", target, "::/EFI", "::/EFI/BOOT", "::/boot", NULL};
	char *efi[] = {"mcopy", "-i", target, (char *)opt->efi, "::/EFI/BOOT/BOOTX64.EFI", NULL};
	char *kernel[] = {"mcopy", "-i", target, (char *)opt->kernel, "::/boot/kernel.elf", NULL};
	/* The config text inputs_read() vetted, from --config or made. */
	char *cfg[] = {"mcopy", "-i", target, "-", "::/boot/twinboot.cfg", NULL};
	/* mtools allocates clusters in order: the directories, the config,
	 * BOOTX64.EFI, the kernel. The config so lies between two clusters
	 * the firmware's FAT driver has just read through its cache, /boot's
	 * directory (to open the config) and the loader's first one (to load
	 * it); edk2's caches 64 KiB blocks, so with clusters up to 32 KiB the
	 * block holding the config's first bytes holds one of those too, and
	 * reading it costs no disk read. After the loader it did only while
	 * the loader's last block reached past it: in the 16 KiB clusters of
	 * an image for a 64 MiB kernel it took a read of its own (0.25 ms on
	 * virtio-blk under QEMU, a 10 ms stall on OVMF's IDE driver).
	 * Putting the kernel between /EFI/BOOT and the loader, so that its
	 * last block would be the one the firmware caches for the loader's
	 * first bytes, was tried (QEMU's virtio-blk trace): a 1 MiB kernel
	 * then took one request fewer and the firmware one more to load the
	 * loader; a 64 MiB one, whose last cluster happened to end a block, as
	 * many as before, and the firmware two more. */
	if (run(mformat, NULL, 0) || run(mmd, NULL, 0) || run(cfg, in->config, in->config_len) ||
	    run(efi, NULL, 0) || run(kernel, NULL, 0))
		return -1;
	for (unsigned i = 0; i < opt->module_count; i++) {
		char dest[128];
		snprintf(dest, sizeof(dest), "::/boot/%s", opt->modules[i].name);
		char *mod[] = {"mcopy", "-i", target, (char *)opt->modules[i].path, dest, NULL};
		if (run(mod, NULL, 0))
			return -1;
	}
	return 0;
}
