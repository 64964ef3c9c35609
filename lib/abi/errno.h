/* SPDX-License-Identifier: MIT */
/*
 * Error codes shared by the kernel and domains. Fallible functions return 0
 * or one of these, negated. Values are part of the kernel<->domain ABI and
 * must never be renumbered.
 */
#pragma once

#define EPERM 1		 /* Operation not permitted */
#define ENOENT 2	 /* No such object */
#define EIO 5		 /* I/O error */
#define E2BIG 7		 /* Argument list or image too large */
#define ENOEXEC 8	 /* Malformed executable image */
#define EBADF 9		 /* Bad handle */
#define EAGAIN 11	 /* Try again */
#define ENOMEM 12	 /* Out of memory */
#define EACCES 13	 /* Permission denied (e.g. bad signature) */
#define EFAULT 14	 /* Bad address */
#define EBUSY 16	 /* Resource busy */
#define EEXIST 17	 /* Already exists */
#define EINVAL 22	 /* Invalid argument */
#define ENOSPC 28	 /* No space left */
#define ERANGE 34	 /* Out of range */
#define ENOSYS 38	 /* No such call */
#define EOVERFLOW 75	 /* Value too large */
#define EBADMSG 74	 /* Malformed message */
#define ETIMEDOUT 110	 /* Timed out */
#define EDQUOT 122	 /* Quota exceeded */
#define EKEYREJECTED 129 /* Signature rejected */
#define EDOMDEAD 200	 /* Callee domain failed (transport error) */
#define ERESTARTED 201	 /* Callee domain was restarted (transport error) */

/* Short symbolic name of an error code (positive or negative), for logs. */
const char *errno_name(int err);
