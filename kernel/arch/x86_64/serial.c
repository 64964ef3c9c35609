// SPDX-License-Identifier: MIT
/*
 * Polled 16550 UART. Register map: National Semiconductor PC16550D data
 * sheet, table II. No interrupts: output waits for THRE, bounded so that a
 * missing or stuck UART never hangs the kernel.
 */
#include "arch/x86_64/serial.h"

#include "arch/x86_64/cpu.h"

#define UART_DATA 0 /* RBR/THR, DLL when DLAB=1 */
#define UART_IER 1  /* IER, DLM when DLAB=1 */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_FCR_ENABLE_CLEAR 0x07
#define UART_MCR_DTR_RTS_OUT2 0x0b

#define UART_BAUD_DIV_115200 1
#define UART_TX_SPIN_MAX 100000

bool serial_init(uint16_t port)
{
	/* The scratch register tells whether a UART is present at all. */
	outb(port + UART_SCR, 0x5a);
	if (inb(port + UART_SCR) != 0x5a) {
		return false;
	}
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, UART_LCR_DLAB);
	outb(port + UART_DATA, UART_BAUD_DIV_115200);
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, UART_LCR_8N1);
	outb(port + UART_FCR, UART_FCR_ENABLE_CLEAR);
	outb(port + UART_MCR, UART_MCR_DTR_RTS_OUT2);
	return true;
}

void serial_putc(uint16_t port, char c)
{
	for (int i = 0; i < UART_TX_SPIN_MAX; i++) {
		if (inb(port + UART_LSR) & UART_LSR_THRE) {
			break;
		}
		cpu_relax();
	}
	outb(port + UART_DATA, (uint8_t)c);
}

int serial_getc(uint16_t port)
{
	if (!(inb(port + UART_LSR) & UART_LSR_DR)) {
		return -1;
	}
	return inb(port + UART_DATA);
}
