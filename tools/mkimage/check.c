/* tools/mkimage/check.c - `mkimage check FILE`: run the loaders' own ELF
 * checks (common/elf.c) on a kernel and say what they found, before any
 * image is built. */
#include <stdio.h>
#include <stdlib.h>

#include "elf.h"
#include "layout.h"
#include "mkimage.h"
#include "platform.h"

/* Where the kernel sits in the address space the loaders build
 * (layout.h, docs/ABI.md). elf_check() has already refused the rest. */
static const char *placement(const struct elf_plan *plan)
{
	if (plan->virt_end <= TB_IDENTITY_MAP_END)
		return "linked low, in the identity-mapped first 4 GiB";
	if (plan->virt_base >= 0xffffffff80000000ull)
		return "linked in the top 2 GiB (-mcmodel=kernel)";
	return "linked high";
}

int check_kernel(const char *path)
{
	struct blob k;
	struct elf_plan plan;
	struct error err = {{0}};
	if (blob_read(path, &k))
		return -1;
	if (elf_check(k.data, k.size, 0, &plan, &err)) {
		fprintf(stderr, "mkimage: %s will not boot: %s\n", path, err.msg);
		free(k.data);
		return -1;
	}
	/* The plan on one line, as the loaders will follow it. */
	printf("%s: entry 0x%llx, %u segment%s:", path, (unsigned long long)plan.entry,
	       plan.segment_count, plan.segment_count == 1 ? "" : "s");
	for (unsigned i = 0; i < plan.segment_count; i++) {
		const struct elf_segment *s = &plan.segments[i];
		printf("%s 0x%llx %c%c%c 0x%llx bytes", i ? "," : "", (unsigned long long)s->vaddr,
		       s->flags & ELF_PF_R ? 'r' : '-', s->flags & ELF_PF_W ? 'w' : '-',
		       s->flags & ELF_PF_X ? 'x' : '-', (unsigned long long)s->memsz);
		if (s->filesz != s->memsz)
			printf(" (0x%llx from the file)", (unsigned long long)s->filesz);
	}
	printf("\n%s: %s, 0x%llx-0x%llx (%llu KiB): twinboot can boot it\n", path, placement(&plan),
	       (unsigned long long)plan.virt_base, (unsigned long long)plan.virt_end,
	       (unsigned long long)((plan.virt_end - plan.virt_base) >> 10));
	/* Past the headers and segments a loader reads no more than its first
	 * read, which takes a small file whole (common/boot.c). */
	uint64_t most_read = plan.file_used > KERNEL_HEAD_MAX ? plan.file_used : KERNEL_HEAD_MAX;
	if (most_read < k.size)
		printf("%s: the loaders read at most %llu of its %llu bytes; the rest, which no "
		       "segment holds (symbols, debug info), stays on the disk unless the image is "
		       "signed\n",
		       path, (unsigned long long)most_read, (unsigned long long)k.size);
	free(k.data);
	return 0;
}
