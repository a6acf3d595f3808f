/* common/error.c - fill in a struct error (see error.h). */
#include <stdarg.h>

#include "error.h"
#include "fmt.h"

int error_set(struct error *err, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		fmt_vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}
