/* SPDX-License-Identifier: MIT */
/*
 * Where ring-3 exceptions go. Until domains exist (the domain loader
 * overrides it), a ring-3 exception is reported and the kernel panics.
 */
#pragma once

struct trap_frame;

void trap_user_exception(struct trap_frame *tf);
