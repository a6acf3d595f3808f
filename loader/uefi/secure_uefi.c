/* loader/uefi/secure_uefi.c - platform_manifest() and
 * platform_secure_boot() on UEFI: the manifest section mkimage --sign
 * fills in, and the firmware's SecureBoot variable.
 *
 * The section is reserved here, zero-filled, at its full size, so mkimage
 * can overwrite it in place before signing (common/manifest.h has the
 * layout; uefi.lds gives it a page-aligned output section of its own).
 */
#include <efi.h>

#include "manifest.h"
#include "platform.h"
#include "uefi.h"

/* `used` keeps it even though only platform_manifest() reads it, and
 * `volatile` reads stop the compiler from assuming the zeros it was
 * initialised with: mkimage changes them after the build. */
__attribute__((section(MANIFEST_SECTION), used,
               aligned(16))) static volatile const uint8_t manifest_section[MANIFEST_SIZE];

const void *platform_manifest(size_t *len)
{
	*len = sizeof(manifest_section);
	return (const void *)manifest_section;
}

/* UEFI 2.10 3.3 "Globally Defined Variables": SecureBoot is one byte
 * under EFI_GLOBAL_VARIABLE, 1 when the platform enforces signatures. */

int platform_secure_boot(void)
{
	UINT8 value = 0;
	UINTN size = sizeof(value);
	UINT32 attributes;
	EFI_STATUS s = uefi_st->RuntimeServices->GetVariable(L"SecureBoot", &uefi_global_variable,
	                                                     &attributes, &size, &value);
	/* Not found: firmware without Secure Boot support; that is "off". */
	return !EFI_ERROR(s) && size == 1 && value == 1;
}
