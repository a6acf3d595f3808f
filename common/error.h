/* common/error.h - one error message, filled in where an error is found.
 *
 * Every common/ function that can fail takes a struct error * and, on
 * failure, writes one line naming the module, the thing and the value
 * ("fat: cluster 0x1f3 out of range in /boot/kernel.elf"), then returns -1.
 * The loader prints it and halts; tests compare it.
 */
#ifndef TWINBOOT_ERROR_H
#define TWINBOOT_ERROR_H

#define ERROR_MAX 160

struct error {
	char msg[ERROR_MAX];
};

/* Format into err->msg (fmt.h's format) and return -1, so a failing path
 * reads `return error_set(err, "elf: bad magic %x", m);`. err may be NULL. */
int error_set(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
