/* tools/mkimage/check.c - `mkimage check FILE`: run the loaders' own ELF
 * checks (common/elf.c) on a kernel and say what they found, before any
 * image is built. */
#include <stdio.h>
#include <stdlib.h>

#include "elf.h"
#include "mkimage.h"

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
	printf("%s: ELF64 x86-64, entry 0x%llx, %u loadable segment%s, 0x%llx-0x%llx (%llu KiB)\n",
	       path, (unsigned long long)plan.entry, plan.segment_count,
	       plan.segment_count == 1 ? "" : "s", (unsigned long long)plan.virt_base,
	       (unsigned long long)plan.virt_end,
	       (unsigned long long)((plan.virt_end - plan.virt_base) >> 10));
	for (unsigned i = 0; i < plan.segment_count; i++) {
		const struct elf_segment *s = &plan.segments[i];
		printf("  0x%016llx %c%c%c 0x%llx bytes (0x%llx from the file)\n",
		       (unsigned long long)s->vaddr, s->flags & ELF_PF_R ? 'r' : '-',
		       s->flags & ELF_PF_W ? 'w' : '-', s->flags & ELF_PF_X ? 'x' : '-',
		       (unsigned long long)s->memsz, (unsigned long long)s->filesz);
	}
	printf("%s: twinboot can boot it\n", path);
	free(k.data);
	return 0;
}
