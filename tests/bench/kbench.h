/* SPDX-License-Identifier: MIT */
/* The in-kernel benchmark run (boot option bench=1), see kbench.c. */
#pragma once

/* Run the benchmarks; 0 when every one completed. */
int kbench_run(void);
