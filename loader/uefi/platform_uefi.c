/* loader/uefi/platform_uefi.c - common/platform.h on UEFI boot services.
 *
 * Output goes to ConOut before ExitBootServices, and to COM1 as well
 * unless the firmware copies ConOut to a serial port itself (OVMF does:
 * writing COM1 there would print every line twice); to COM1 alone by port
 * I/O after it. Memory comes from AllocatePages with twinboot's own OS memory types
 * (UEFI 2.10 7.2: 0x80000000 and up), so the final map shows what is
 * kernel, module and loader data.
 */
#include <efi.h>

#include "cpu.h"
#include "device_path.h"
#include "lib.h"
#include "log.h"
#include "memmap.h"
#include "pit.h"
#include "platform.h"
#include "uart.h"
#include "uefi.h"

int uefi_boot_services_exited;

/* COM1 by port I/O: after ExitBootServices, when ConOut and any copy the
 * firmware makes of it on a serial port are gone; before it, where the
 * firmware makes no such copy or has no console. The firmware's 8N1
 * setup, and so its speed, stays. */
static void write_com1(const char *text, size_t len)
{
	static int ready;
	if (!log_serial_enabled)
		return;
	if (!ready) {
		uart_init(1);
		ready = 1;
	}
	uart_write(text, len);
}

/* Whether the firmware already copies ConOut to a serial port: its ConOut
 * variable (UEFI 2.10 3.3) lists the console devices, and one of them is a
 * UART, as in OVMF's. Most PCs leave that "console redirection" off, and
 * then the loader's messages must reach COM1 from here, or an error before
 * ExitBootServices would show on the screen alone. Asked once, at the
 * first line written before ExitBootServices: a boot that writes none
 * never asks. */
static int firmware_copies_to_serial(void)
{
	static int known, copies;
	if (!known) {
		static UINT8 path[2048];
		UINTN size = sizeof(path);
		EFI_STATUS s = uefi_st->RuntimeServices->GetVariable(
		    L"ConOut", &uefi_global_variable, NULL, &size, path);
		copies = !EFI_ERROR(s) && device_path_has_uart(path, size);
		known = 1;
	}
	return copies;
}

void platform_write(const char *text, size_t len)
{
	/* A headless firmware may install no console at all. */
	if (uefi_boot_services_exited || !uefi_st->ConOut) {
		write_com1(text, len);
		return;
	}
	if (!firmware_copies_to_serial())
		write_com1(text, len);
	CHAR16 buf[130];
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			buf[n++] = L'\r';
		buf[n++] = (CHAR16)(unsigned char)text[i];
		if (n >= ARRAY_SIZE(buf) - 2 || i + 1 == len) {
			buf[n] = 0;
			uefi_st->ConOut->OutputString(uefi_st->ConOut, buf);
			n = 0;
		}
	}
}

int platform_write_is_slow(void)
{
	return !uefi_boot_services_exited && uefi_st->ConOut;
}

/* Before ExitBootServices: wait for a key (or 10 s) so the message can be
 * read, then return to the firmware with an error so it can try the next
 * boot option. After it: nothing to return to, so halt. */
void platform_halt(void)
{
	if (!uefi_boot_services_exited) {
		EFI_EVENT events[2], timer;
		UINTN count = 0, which;
		static const char msg[] =
		    "twinboot: press a key (or wait 10 s) to return to the firmware\n";
		platform_write(msg, sizeof(msg) - 1);
		/* Drop keys typed earlier, or the wait would end at once. */
		if (uefi_st->ConIn) {
			uefi_st->ConIn->Reset(uefi_st->ConIn, FALSE);
			events[count++] = uefi_st->ConIn->WaitForKey;
		}
		/* The timer counts in 100 ns units (UEFI 2.10 7.1 SetTimer()). */
		if (!EFI_ERROR(uefi_bs->CreateEvent(EVT_TIMER, 0, NULL, NULL, &timer))) {
			if (!EFI_ERROR(uefi_bs->SetTimer(timer, TimerRelative, 100000000)))
				events[count++] = timer;
			if (count)
				uefi_bs->WaitForEvent(count, events, &which);
			uefi_bs->CloseEvent(timer);
		}
		uefi_close_files();
		uefi_bs->Exit(uefi_image, EFI_LOAD_ERROR, 0, NULL);
	}
	for (;;)
		__asm__ volatile("cli; hlt");
}

static EFI_MEMORY_TYPE efi_type(uint32_t tb_type)
{
	switch (tb_type) {
	case TB_MEM_KERNEL:
		return (EFI_MEMORY_TYPE)MEMMAP_EFI_TYPE_KERNEL;
	case TB_MEM_MODULE:
		return (EFI_MEMORY_TYPE)MEMMAP_EFI_TYPE_MODULE;
	default:
		return (EFI_MEMORY_TYPE)MEMMAP_EFI_TYPE_LOADER;
	}
}

uint64_t platform_alloc_pages(uint64_t pages, uint32_t tb_type, uint64_t max_addr)
{
	EFI_PHYSICAL_ADDRESS addr = max_addr ? max_addr - 1 : 0;
	EFI_ALLOCATE_TYPE how = max_addr ? AllocateMaxAddress : AllocateAnyPages;
	EFI_STATUS s = uefi_bs->AllocatePages(how, efi_type(tb_type), pages, &addr);
	/* Some firmwares reject the OS-defined types the spec allows: plain
	 * loader data then, which the kernel sees as TB_MEM_LOADER. */
	if (s == EFI_INVALID_PARAMETER) {
		addr = max_addr ? max_addr - 1 : 0;
		s = uefi_bs->AllocatePages(how, EfiLoaderData, pages, &addr);
	}
	if (EFI_ERROR(s))
		return 0;
	return addr;
}

/* GUIDs compared as two 64-bit words: no memcmp call per table and
 * candidate. */
static int guid_is(const EFI_GUID *g, const EFI_GUID *want)
{
	uint64_t a[2], b[2];
	__builtin_memcpy(a, g, sizeof(a));
	__builtin_memcpy(b, want, sizeof(b));
	return !((a[0] ^ b[0]) | (a[1] ^ b[1]));
}

void platform_find_tables(uint64_t *rsdp, uint64_t *smbios, uint64_t *efi_system_table)
{
	/* In order of preference per table: ACPI 2.0+ (XSDT) over 1.0,
	 * SMBIOS 3 (64-bit entry point) over 2. One loop over the list. */
	static const EFI_GUID wanted[4] = {ACPI_20_TABLE_GUID, ACPI_TABLE_GUID, SMBIOS3_TABLE_GUID,
	                                   SMBIOS_TABLE_GUID};
	uint64_t found[4] = {0};
	for (UINTN i = 0; i < uefi_st->NumberOfTableEntries; i++) {
		const EFI_CONFIGURATION_TABLE *t = &uefi_st->ConfigurationTable[i];
		for (unsigned k = 0; k < 4; k++)
			if (guid_is(&t->VendorGuid, &wanted[k]))
				found[k] = (uint64_t)(uintptr_t)t->VendorTable;
	}
	*rsdp = found[0] ? found[0] : found[1];
	*smbios = found[2] ? found[2] : found[3];
	*efi_system_table = (uint64_t)(uintptr_t)uefi_st;
}

uint32_t platform_firmware(void)
{
	return TB_FIRMWARE_UEFI;
}

uint64_t platform_tsc_frequency(int wait)
{
	static uint64_t stalled;
	uint64_t hz = cpu_tsc_frequency_cpuid();
	/* Over the PIT window opened at entry, when the machine still has a
	 * PIT (pit.h says 0 when none answers). Else the firmware's Stall(),
	 * which may oversleep: under QEMU it has overstated the rate by 80 %. */
	if (!hz) {
		/* The firmware's timer interrupt may land inside a sample's
		 * bracket; keep it out while measuring (a few ms at most). */
		EFI_TPL tpl = uefi_bs->RaiseTPL(TPL_HIGH_LEVEL);
		hz = pit_calibrate_tsc(wait);
		uefi_bs->RestoreTPL(tpl);
	}
	if (!hz && wait) {
		if (!stalled) {
			uint64_t start = rdtsc();
			uefi_bs->Stall(5000);
			stalled = (rdtsc() - start) * 200;
		}
		hz = stalled;
	}
	return hz;
}
