// SPDX-License-Identifier: MIT
/* Names for the error codes of lib/abi/errno.h, for log messages. */
#include "abi/errno.h"

const char *errno_name(int err)
{
	if (err < 0) {
		err = -err;
	}
	switch (err) {
	case 0:
		return "OK";
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	case EIO:
		return "EIO";
	case E2BIG:
		return "E2BIG";
	case ENOEXEC:
		return "ENOEXEC";
	case EBADF:
		return "EBADF";
	case EAGAIN:
		return "EAGAIN";
	case ENOMEM:
		return "ENOMEM";
	case EACCES:
		return "EACCES";
	case EFAULT:
		return "EFAULT";
	case EBUSY:
		return "EBUSY";
	case EEXIST:
		return "EEXIST";
	case EINVAL:
		return "EINVAL";
	case ENOSPC:
		return "ENOSPC";
	case ERANGE:
		return "ERANGE";
	case ENOSYS:
		return "ENOSYS";
	case EOVERFLOW:
		return "EOVERFLOW";
	case EBADMSG:
		return "EBADMSG";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case EDQUOT:
		return "EDQUOT";
	case EKEYREJECTED:
		return "EKEYREJECTED";
	case EDOMDEAD:
		return "EDOMDEAD";
	case ERESTARTED:
		return "ERESTARTED";
	default:
		return "E?";
	}
}
