/* common/boot.c - the boot sequence both loaders share.
 *
 * The order matters: everything that needs firmware services (files,
 * allocations, the video mode, the TSC calibration) happens before
 * platform_exit_firmware(); after it only the final memory map is
 * normalised into memory allocated beforehand, and the kernel is entered.
 * The address space is built by address_space.c; the machine state at
 * entry is docs/ABI.md's.
 */
#include "address_space.h"
#include "boot.h"
#include "bootinfo.h"
#include "config.h"
#include "cpu.h"
#include "early_idt.h"
#include "elf.h"
#include "layout.h"
#include "lib.h"
#include "log.h"
#include "manifest.h"
#include "memmap.h"
#include "platform.h"

/* The boot info and everything it points to live in one LOADER
 * allocation below 4 GiB, laid out in this order. The memory map gets room
 * for BOOT_MAP_CAPACITY raw entries: UEFI maps of 300+ descriptors exist,
 * and normalising only ever shrinks the count. */
#define BOOT_MAP_CAPACITY 4096u
#define FOUR_GIB 0x100000000ull

struct boot_block {
	struct tb_bootinfo info;
	char cmdline[CONFIG_CMDLINE_MAX];
	struct tb_module modules[CONFIG_MODULES_MAX];
	char log[LOG_BUFFER_SIZE];
	struct tb_mem_range map[BOOT_MAP_CAPACITY];
};

/* Static, not on the stack: the BIOS stage 2 stack is small. */
static struct config config;
static struct tb_module modules[CONFIG_MODULES_MAX];
/* The hashes the loader binary carries, when mkimage --sign filled them
 * in (docs/SECURE-BOOT.md); every file read is checked against them. */
static struct manifest_view manifest;
static int manifest_present;

static void check_cpu(struct cpu_features *features)
{
	*features = cpu_features();
	/* The message the user sees on a 32-bit-only CPU: issue 5 fixes
	 * its wording, and it must name the problem, not a symptom. */
	if (!features->long_mode || !features->pae)
		log_fatal("This CPU does not support 64-bit long mode");
}

/* Take the loader's manifest before any file is read. A blank one is
 * fine unless Secure Boot is on: the firmware checked this binary, and
 * nothing would vouch for the files it is about to run. */
static void load_manifest(void)
{
	struct error err = {{0}};
	size_t len = 0;
	const void *bytes = platform_manifest(&len);
	int secure_boot = platform_secure_boot();
	manifest_present = 0; /* boot_main runs many times in the unit tests */
	if (bytes && !manifest_is_blank(bytes, len)) {
		if (manifest_parse(bytes, len, &manifest, &err))
			log_fatal_error(&err);
		manifest_present = 1;
		log_info("manifest: %u files pinned by SHA-256, Secure Boot %s", manifest.count,
		         secure_boot ? "on" : "off");
	} else if (secure_boot) {
		log_fatal("Secure Boot is on but BOOTX64.EFI carries no manifest: "
		          "sign the image with mkimage --sign");
	}
}

/* Check a file against the manifest right after reading it, before any
 * parser sees its bytes. */
static void verify_file(const char *path, uint64_t phys, uint64_t size)
{
	struct error err = {{0}};
	if (manifest_present &&
	    manifest_verify(&manifest, path, phys_ptr(phys), (size_t)size, &err))
		log_fatal_error(&err);
}

/* The TSC's rate is measured over the PIT window opened at the loader's
 * entry (pit.h), which runs out after 55 ms: a sample of it, which never
 * waits, before every read that may outlast it (the rest of a big kernel,
 * a module), and the rate itself last, over the longest window, which
 * waits only when no sample so far found the window 2 ms old. */
static void sample_tsc_rate(void)
{
	(void)platform_tsc_frequency(0);
}

/* Read bytes [offset, offset + len) of a file to phys + offset, where the
 * file's image starts at phys; the file must still be that long. */
static void read_into(const char *path, uint64_t phys, uint64_t offset, uint64_t len)
{
	struct error err = {{0}};
	uint64_t size;
	if (platform_read_file(path, offset, phys_ptr(phys + offset), len, &size, &err))
		log_fatal_error(&err);
	if (size < offset + len)
		log_fatal("boot: %s shrank from %llu to %llu bytes while it was read", path,
		          (unsigned long long)(offset + len), (unsigned long long)size);
}

/* New pages of `tb_type` for a file of `size` bytes, the last page's
 * tail zeroed: nothing of an earlier boot past the file's end. */
static uint64_t alloc_file(const char *path, uint64_t size, uint32_t tb_type)
{
	uint64_t pages = size ? ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE : 1;
	uint64_t phys = platform_alloc_pages(pages, tb_type, 0);
	if (!phys)
		log_fatal("boot: no free memory for %s (%llu KiB)", path,
		          (unsigned long long)(pages * 4));
	memset((uint8_t *)phys_ptr(phys) + size, 0, (size_t)(pages * PAGE_SIZE - size));
	return phys;
}

/* Read a whole file into new pages of `tb_type`. */
static void read_file(const char *path, uint32_t tb_type, uint64_t *phys, uint64_t *size)
{
	struct error err = {{0}};
	if (platform_read_file(path, 0, NULL, 0, size, &err))
		log_fatal_error(&err);
	*phys = alloc_file(path, *size, tb_type);
	read_into(path, *phys, 0, *size);
}

/* Read, check and parse the config into `buf` (CONFIG_FILE_MAX bytes),
 * where its bytes stay for platform_native_disk(); returns its size. */
static uint64_t load_config(uint8_t *buf)
{
	struct error err = {{0}};
	uint64_t size;
	if (platform_read_file(CONFIG_PATH, 0, buf, CONFIG_FILE_MAX, &size, &err))
		log_fatal_error(&err);
	if (size > CONFIG_FILE_MAX)
		log_fatal("%s: %llu bytes, more than a config may have (%u)", CONFIG_PATH,
		          (unsigned long long)size, CONFIG_FILE_MAX);
	verify_file(CONFIG_PATH, (uint64_t)(uintptr_t)buf, size);
	if (config_parse((const char *)buf, (size_t)size, &config, &err))
		log_fatal("%s: %s", CONFIG_PATH, err.msg);
	log_verbose_enabled = config.verbose;
	log_serial_enabled = config.serial;
	log_verbose("config: kernel=%s, %u module(s), cmdline '%s'", config.kernel,
	            config.module_count, config.cmdline);
	return size;
}

static _Noreturn void no_room_for_kernel(uint64_t bytes)
{
	log_fatal("boot: no free memory for %s: it needs %llu KiB in one piece", config.kernel,
	          (unsigned long long)(bytes / 1024));
}

/* The kernel file's first bytes (platform_kernel_head_bytes(), head_len
 * of them): all of a small kernel, the headers of a big one; the config
 * before them (load_config). Static: the BIOS stack is small. */
static uint8_t kernel_head[KERNEL_HEAD_MAX];
static uint64_t head_len;
_Static_assert(KERNEL_HEAD_MAX >= CONFIG_FILE_MAX, "the config is read into kernel_head");

/* All of a big kernel file (size > its head) at `file`: the head as
 * already read, then only the rest from the disk, so every byte of the
 * file is read once. */
static void read_kernel_rest(uint64_t file, uint64_t size)
{
	sample_tsc_rate();
	memcpy(phys_ptr(file), kernel_head, (size_t)head_len);
	read_into(config.kernel, file, head_len, size - head_len);
}

/* Check the kernel file at `file` (size bytes, all of it, already read)
 * and put its segments in new KERNEL pages: a copy. */
static uint64_t copy_kernel(const void *file, uint64_t size, struct elf_plan *plan)
{
	struct error err = {{0}};
	verify_file(config.kernel, (uint64_t)(uintptr_t)file, size);
	if (elf_check(file, (size_t)size, platform_memory_top(), plan, &err))
		log_fatal("%s: %s", config.kernel, err.msg);
	uint64_t span = plan->virt_end - plan->virt_base;
	uint64_t phys = platform_alloc_pages(span / PAGE_SIZE, TB_MEM_KERNEL, 0);
	if (!phys)
		no_room_for_kernel(span);
	elf_load(plan, file, phys_ptr(phys));
	return phys;
}

/* The fast way for a big kernel whose file lays segments out as memory
 * does (elf_file_mirrors_memory: what linkers write). From the headers
 * alone (plan, checked from the head), place the file so that every
 * segment lands where it runs, read its first `used` bytes there in one
 * go, and only zero BSS and gaps: no second copy of a big kernel, and
 * half the memory. The headers are only a guess until what was read is
 * verified and checked again. Returns the physical address of virt_base,
 * or 0 when the file is not laid out that way. */
static uint64_t load_kernel_in_place(uint64_t used, struct elf_plan *plan)
{
	struct error err = {{0}};
	uint64_t offset, offset_again;
	if (!elf_file_mirrors_memory(plan, &offset))
		return 0;

	/* [file start][virt_base ... virt_end][file end]: the kernel's
	 * pages are page-aligned, the file around them is loader memory. */
	uint64_t span = plan->virt_end - plan->virt_base;
	uint64_t bytes =
	    ALIGN_UP(offset + (span > used - offset ? span : used - offset), PAGE_SIZE);
	uint64_t file = platform_alloc_pages(bytes / PAGE_SIZE, TB_MEM_LOADER, 0);
	if (!file)
		no_room_for_kernel(bytes);
	read_kernel_rest(file, used);
	verify_file(config.kernel, file, used);
	if (elf_check(phys_ptr(file), (size_t)used, platform_memory_top(), plan, &err))
		log_fatal("%s: %s", config.kernel, err.msg);
	if (!elf_file_mirrors_memory(plan, &offset_again) || offset_again != offset)
		log_fatal("boot: %s changed while it was read", config.kernel);
	elf_load(plan, phys_ptr(file), phys_ptr(file + offset));
	return file + offset;
}

/* How much of a kernel file bigger than its head to read: up to the end
 * of what loading uses (elf_plan.file_used), so the symbols and DWARF of
 * a debug build, often most of its file, stay on the disk. All of it when
 * the headers in the head don't check out (checking the whole file names
 * the problem), or when the manifest pins the file: its hash covers every
 * byte. *head_ok says whether plan holds the head's checked headers. */
static uint64_t kernel_bytes_to_read(uint64_t size, struct elf_plan *plan, int *head_ok)
{
	struct error err = {{0}};
	*head_ok = !elf_check_head(kernel_head, (size_t)head_len, (size_t)size,
	                           platform_memory_top(), plan, &err);
	return *head_ok && !manifest_present ? plan->file_used : size;
}

/* Read the kernel, check it, and put its segments in pages of their own,
 * which the final memory map shows as KERNEL. One read of its head
 * (platform_kernel_head_bytes()) first: for a small kernel, or one whose
 * segments end inside it, that is all, copied to its pages from there;
 * for a big one the rest of what loading uses follows, in place when its
 * layout allows. What else the file holds stays in LOADER memory, which
 * the kernel may reclaim, or on the disk when nothing loads it. */
static uint64_t load_kernel(struct elf_plan *plan)
{
	struct error err = {{0}};
	uint64_t file, size, used, phys;
	int head_ok = 0;
	const char *how = "read whole and copied";
	head_len = platform_kernel_head_bytes();
	if (head_len > sizeof(kernel_head) || head_len % PAGE_SIZE || !head_len)
		log_fatal("boot: platform_kernel_head_bytes() said %llu",
		          (unsigned long long)head_len);
	if (platform_read_file(config.kernel, 0, kernel_head, head_len, &size, &err))
		log_fatal_error(&err);
	used = size > head_len ? kernel_bytes_to_read(size, plan, &head_ok) : size;
	if (used <= head_len) {
		phys = copy_kernel(kernel_head, used, plan);
		how = "read in one go";
	} else if (head_ok && (phys = load_kernel_in_place(used, plan)) != 0) {
		how = "read in place";
	} else {
		/* Any other layout, and every broken file, whose message
		 * comes from checking all of it: read, check, copy. */
		file = alloc_file(config.kernel, used, TB_MEM_LOADER);
		read_kernel_rest(file, used);
		phys = copy_kernel(phys_ptr(file), used, plan);
	}
	log_verbose("kernel: %s %s, %llu bytes, entry 0x%llx, %u segments at 0x%llx "
	            "(phys 0x%llx)",
	            config.kernel, how, (unsigned long long)size, (unsigned long long)plan->entry,
	            plan->segment_count, (unsigned long long)plan->virt_base,
	            (unsigned long long)phys);
	/* The first read took the head (or all of a smaller file), the rest
	 * went up to `used`. */
	uint64_t read = used > head_len ? used : head_len;
	if (read < size)
		log_verbose("kernel: the last %llu bytes of %s left on the disk: no segment "
		            "holds them (symbols, debug info)",
		            (unsigned long long)(size - read), config.kernel);
	return phys;
}

static void load_modules(void)
{
	for (unsigned i = 0; i < config.module_count; i++) {
		struct tb_module *m = &modules[i];
		sample_tsc_rate();
		read_file(config.modules[i], TB_MEM_MODULE, &m->base, &m->size);
		verify_file(config.modules[i], m->base, m->size);
		str_copy(m->name, config_basename(config.modules[i]), sizeof(m->name));
		log_verbose("module: %s, %llu bytes at 0x%llx", config.modules[i],
		            (unsigned long long)m->size, (unsigned long long)m->base);
	}
}

/* The loader memory the kernel starts with: the boot block, the early
 * IDT's page, and the stack and page tables (address_space_pages()). One
 * LOADER allocation below 4 GiB, not four: under UEFI each is a firmware
 * call (about 0.05 ms under QEMU) and a descriptor more in the map. */
struct low_memory {
	struct boot_block *block;
	uint64_t idt_page, address_space;
};

static struct low_memory alloc_low_memory(const struct boot_facts *facts)
{
	struct low_memory low;
	uint64_t block_pages = ALIGN_UP((uint64_t)sizeof(struct boot_block), PAGE_SIZE) / PAGE_SIZE;
	uint64_t pages = block_pages + 1 + address_space_pages(facts);
	uint64_t phys = platform_alloc_pages(pages, TB_MEM_LOADER, FOUR_GIB);
	if (!phys)
		log_fatal("boot: no free memory below 4 GiB for the boot info, stack and page "
		          "tables (%llu KiB)",
		          (unsigned long long)(pages * 4));
	/* Reserved fields are 0. The map's entries are written whole
	 * (memmap.c), so its 96 KiB of room is left as it is. */
	memset(phys_ptr(phys), 0, offsetof(struct boot_block, map));
	low.block = phys_ptr(phys);
	low.idt_page = phys + block_pages * PAGE_SIZE;
	low.address_space = low.idt_page + PAGE_SIZE;
	return low;
}

/* Leave the firmware and turn its last memory map into the ABI's. */
static void final_memory_map(struct boot_block *block, const struct boot_facts *facts)
{
	struct error err = {{0}};
	struct memmap map;
	memmap_init(&map, block->map, BOOT_MAP_CAPACITY);
	if (platform_exit_firmware(&map, &err))
		log_fatal_error(&err);
	log_release(); /* the banner, now that writing is cheap */
	/* The kernel's pages, wherever they came from (load_kernel): a
	 * kernel read in place sits in loader memory, which KERNEL outranks.
	 * The framebuffer, which firmware maps leave out or call reserved,
	 * outranks all but BAD (memmap.c). So one normalising pass over the
	 * firmware's entries and these two types them. */
	if (memmap_add(&map, facts->kernel_phys, facts->plan.virt_end - facts->plan.virt_base,
	               TB_MEM_KERNEL, &err))
		log_fatal_error(&err);
	if (facts->console.type == TB_CONSOLE_FRAMEBUFFER &&
	    memmap_add(&map, facts->console.address,
	               (uint64_t)facts->console.pitch * facts->console.height, TB_MEM_FRAMEBUFFER,
	               &err))
		log_fatal_error(&err);
	if (memmap_normalize(&map, &err))
		log_fatal_error(&err);
	block->info.mem_map_entries = map.count;
	log_verbose("memory: %llu MiB usable in %u map entries",
	            (unsigned long long)(memmap_total(&map, TB_MEM_USABLE) >> 20), map.count);
}

static void fill_boot_info(struct boot_block *block, const struct boot_facts *facts)
{
	struct tb_bootinfo *bi = &block->info;
	uint64_t base = (uint64_t)(uintptr_t)block;

	bi->magic = TB_BOOTINFO_MAGIC;
	bi->version = TB_BOOTINFO_VERSION;
	bi->size = sizeof(*bi);
	bi->firmware = platform_firmware();
	str_copy(bi->loader_name, TB_LOADER_NAME, sizeof(bi->loader_name));
	bi->mem_map = base + offsetof(struct boot_block, map);
	bi->mem_map_entry_size = sizeof(struct tb_mem_range);
	bi->console = facts->console;
	bi->rsdp = facts->rsdp;
	bi->smbios = facts->smbios;
	bi->efi_system_table = facts->efi_system_table;
	bi->cmdline_size =
	    (uint32_t)str_copy(block->cmdline, config.cmdline, sizeof(block->cmdline));
	bi->cmdline = base + offsetof(struct boot_block, cmdline);
	bi->module_count = config.module_count;
	memcpy(block->modules, modules, sizeof(modules[0]) * config.module_count);
	bi->modules = base + offsetof(struct boot_block, modules);
	bi->module_entry_size = sizeof(struct tb_module);
	bi->kernel_phys_base = facts->kernel_phys;
	bi->kernel_virt_base = facts->plan.virt_base;
	bi->kernel_size = facts->plan.virt_end - facts->plan.virt_base;
	bi->direct_map_offset = TB_DIRECT_MAP_OFFSET;
	bi->stack_base = TB_STACK_TOP - TB_STACK_SIZE;
	bi->stack_size = TB_STACK_SIZE;
	bi->tsc_loader_entry = facts->tsc_entry;
	bi->tsc_kernel_loaded = facts->tsc_loaded;
	bi->tsc_frequency = facts->tsc_frequency;
	bi->log = base + offsetof(struct boot_block, log);
}

/* The log goes in last, so it holds every line up to the hand-off. */
static void copy_log(struct boot_block *block)
{
	size_t len;
	const char *text = log_text(&len);
	if (len > sizeof(block->log))
		len = sizeof(block->log);
	memcpy(block->log, text, len);
	block->info.log_size = (uint32_t)len;
}

_Noreturn void boot_main(uint64_t tsc_entry)
{
	static struct boot_facts facts;
	struct cpu_features cpu;

	facts.tsc_entry = tsc_entry;
	log_banner(platform_firmware() == TB_FIRMWARE_UEFI ? TB_LOADER_NAME " (UEFI)"
	                                                   : TB_LOADER_NAME " (BIOS)");
	check_cpu(&cpu);
	load_manifest();
	/* The config goes where the kernel's head will: nothing to allocate. */
	uint64_t config_size = load_config(kernel_head);
	platform_native_disk(config.native_disk, kernel_head, config_size);
	facts.kernel_phys = load_kernel(&facts.plan);
	load_modules();
	facts.tsc_loaded = rdtsc();
	facts.tsc_frequency = platform_tsc_frequency(1);

	platform_set_video(config.video_width, config.video_height, config.verbose, &facts.console);
	platform_find_tables(&facts.rsdp, &facts.smbios, &facts.efi_system_table);

	struct low_memory low = alloc_low_memory(&facts);
	struct boot_block *block = low.block;
	uint64_t pml4 = address_space_build(&facts, low.address_space, cpu.nx, cpu.huge_1g);
	fill_boot_info(block, &facts);
	log_verbose("boot: entering the kernel at 0x%llx", (unsigned long long)facts.plan.entry);

	uint64_t idtr = early_idt_build(&facts.console, low.idt_page);
	final_memory_map(block, &facts);
	copy_log(block);
	block->info.tsc_handoff = rdtsc();
	platform_enter_kernel(pml4, facts.plan.entry, TB_STACK_TOP - 8,
	                      TB_DIRECT_MAP_OFFSET + (uint64_t)(uintptr_t)block, cpu.nx, idtr);
}
