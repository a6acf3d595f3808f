/* loader/uefi/status.c - EFI_STATUS codes as words (UEFI 2.10 appendix D),
 * so every message names the firmware's answer. */
#include "uefi.h"

const char *uefi_status_text(EFI_STATUS status)
{
	switch (status) {
	case EFI_SUCCESS:
		return "Success";
	case EFI_LOAD_ERROR:
		return "Load Error";
	case EFI_INVALID_PARAMETER:
		return "Invalid Parameter";
	case EFI_UNSUPPORTED:
		return "Unsupported";
	case EFI_BAD_BUFFER_SIZE:
		return "Bad Buffer Size";
	case EFI_BUFFER_TOO_SMALL:
		return "Buffer Too Small";
	case EFI_NOT_READY:
		return "Not Ready";
	case EFI_DEVICE_ERROR:
		return "Device Error";
	case EFI_WRITE_PROTECTED:
		return "Write Protected";
	case EFI_OUT_OF_RESOURCES:
		return "Out of Resources";
	case EFI_VOLUME_CORRUPTED:
		return "Volume Corrupted";
	case EFI_VOLUME_FULL:
		return "Volume Full";
	case EFI_NO_MEDIA:
		return "No Media";
	case EFI_MEDIA_CHANGED:
		return "Media Changed";
	case EFI_NOT_FOUND:
		return "Not Found";
	case EFI_ACCESS_DENIED:
		return "Access Denied";
	case EFI_TIMEOUT:
		return "Timeout";
	case EFI_ABORTED:
		return "Aborted";
	case EFI_SECURITY_VIOLATION:
		return "Security Violation";
	case EFI_CRC_ERROR:
		return "CRC Error";
	default:
		return "Unknown Error";
	}
}
