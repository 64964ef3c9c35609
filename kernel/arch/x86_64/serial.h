/* SPDX-License-Identifier: MIT */
/* 16550 UART driver for the serial console and log ports. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define SERIAL_COM1 0x3f8
#define SERIAL_COM2 0x2f8

/* Program the UART at @port for 115200 8N1; false if none answers. */
bool serial_init(uint16_t port);
void serial_putc(uint16_t port, char c);
/* Non-blocking read; returns -1 when no byte is waiting. */
int serial_getc(uint16_t port);
