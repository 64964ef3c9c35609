# SPDX-License-Identifier: MIT
"""Boot scenarios run by tests/runner/run_tests.py, one QEMU boot each.

Each scenario boots the kernel with `cmdline` and checks the serial output:
every regex in `expect` must match, none in `reject` may. `status` is the
QEMU exit status required (None: the scenario stops QEMU itself once the
`until` regex has matched). `cpus` overrides the runner's CPU count.
"""

SCENARIOS = [
    {
        "name": "boot_reaches_idle_with_all_cpus",
        "cmdline": "init=none",
        "until": r"cordon: idle; all CPUs online",
        "status": None,
        "expect": [r"Cordon \S+: {cpus} CPUs? online",
                   r"cordon: idle; all CPUs online"],
        "reject": [r"warning", r"KERNEL PANIC", r"did not start"],
    },
    {
        "name": "boot_single_cpu",
        "cmdline": "init=none",
        "cpus": 1,
        "until": r"cordon: idle",
        "status": None,
        "expect": [r"Cordon \S+: 1 CPU online"],
        "reject": [r"KERNEL PANIC"],
    },
    {
        "name": "cmdline_echoes_and_warns",
        "cmdline": "frobnicate=1 hz=abc cpus=1 panic=exit crash=panic",
        "status": 37,
        "expect": [r"warning: unknown boot option 'frobnicate=1' ignored",
                   r"warning: bad value in boot option 'hz=abc'; "
                   r"using the default hz=100",
                   r"options:.* panic=exit",
                   r"options:.* cpus=1",
                   r"options:.* hz=100",
                   r"1 CPU online"],
        "reject": [],
    },
    {
        "name": "panic_exit_ends_qemu_with_failure",
        "cmdline": "crash=panic panic=exit",
        "status": 37,
        "expect": [r"\*\*\* KERNEL PANIC on cpu 0: deliberate panic",
                   r"\[<ffffffff8[0-9a-f]+>\] kmain\+0x[0-9a-f]+/0x[0-9a-f]+",
                   r"panic=exit: leaving QEMU with status 37"],
        "reject": [],
    },
    {
        "name": "kernel_page_fault_is_reported_symbolized",
        "cmdline": "crash=pagefault panic=exit",
        "status": 37,
        "expect": [r"KERNEL EXCEPTION #PF page fault",
                   r"cr2 0000000000000010 \(not present, write, kernel\)",
                   r"rip ffffffff8",
                   r"\] kmain\+0x"],
        "reject": [],
    },
    {
        "name": "kernel_invalid_opcode_is_reported",
        "cmdline": "crash=ud panic=exit",
        "status": 37,
        "expect": [r"KERNEL EXCEPTION #UD invalid opcode",
                   r"\] kmain\+0x"],
        "reject": [],
    },
]
