/* SPDX-License-Identifier: MIT */
/*
 * Hardware interrupts through the two 8259A PICs (Intel 8259A datasheet) and the 8254 PIT
 * (Intel 82C54 datasheet), both emulated inside KVM (KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2).
 *
 * Why the PIC and not the IOAPIC + LAPIC: after reset KVM's LAPIC passes the PIC's output
 * through (LVT0 in ExtINT mode, "virtual wire", Intel SDM vol. 3A 10.5.1), so the PIC needs no
 * LAPIC or IOAPIC programming at all, only the four ICWs below, and its EOI is one port write
 * that KVM completes in the kernel. The LAPIC timer would need its frequency calibrated first.
 *
 * Costs on the development host, where ring 0 is emulated: the timer handler is six
 * instructions (irq_stubs.S); the UART handler reads LSR and RBR, each a VM exit to minivmm.
 *
 * Ring 3 runs with IF set (user_rflags, used by syscall_entry.S for the first entry); system
 * calls enter through interrupt gates with IF clear and keep it clear, except while a blocking
 * call waits in `sti; hlt`. STI delays interrupts until after the next instruction (Intel SDM
 * vol. 2B, STI), so an interrupt that arrives after the "anything to do?" check but before HLT
 * wakes the HLT instead of being handled before it and then sleeping on: the check and the
 * sleep are atomic.
 */
#include <stdint.h>

#include "guest/string.h"
#include "guest/syscall_numbers.h"
#include "guest/x86.h"
#include "cpu_tables.h"
#include "interrupts.h"
#include "kernel_layout.h"
#include "platform.h"
#include "serial.h"
#include "user_memory.h"

#define PIC_MASTER_COMMAND 0x20
#define PIC_MASTER_DATA	   0x21
#define PIC_SLAVE_COMMAND  0xa0
#define PIC_SLAVE_DATA	   0xa1
#define PIC_ICW1_INIT	   0x11 /* ICW1: edge triggered, cascade, ICW4 follows */
#define PIC_ICW4_8086	   0x01 /* ICW4: 8086/88 mode, normal EOI */
#define PIC_CASCADE_IRQ	   2
#define PIC_EOI		   0x20

#define PIT_CHANNEL0	 0x40
#define PIT_MODE_COMMAND 0x43
#define PIT_CH0_RATE_GEN 0x34	  /* channel 0, lobyte/hibyte, mode 2 (rate generator), binary */
#define PIT_INPUT_HZ	 1193182u /* the PC's 14.31818 MHz / 12 */
#define TIMER_HZ	 100u

#define COM1	    MINIVMM_UART_COM1_PORT
#define UART_IER    1
#define UART_MCR    4
#define IER_RX_DATA 0x01
#define MCR_DTR_RTS 0x03
#define MCR_OUT2    0x08 /* gates the UART's interrupt onto the ISA line on a PC */

/* MC146818A register A's rate select and register B's periodic interrupt enable. */
#define RTC_STATUS_A  0x0a
#define RTC_STATUS_B  0x0b
#define RTC_STATUS_C  0x0c
#define RTC_RATE_MASK 0x0f
#define RTC_B_PIE     0x40

#define RFLAGS_IF 0x200

volatile uint64_t timer_ticks;	    /* irq_stubs.S increments it */
volatile uint64_t rtc_interrupts;   /* irq_stubs.S: RTC interrupts with IRQF set */
uint64_t user_rflags = USER_RFLAGS; /* syscall_entry.S: ring 3's first RFLAGS */
static unsigned tick_hz;	    /* 0: no interrupts (polled machine) */

static void pic_remap(void)
{
	/* ICW1-ICW4 to each PIC (8259A datasheet, "Initialization Command Words"): vector bases
	 * 0x20 and 0x28, the slave on the master's IR2, then OCW1 masks: only the timer and COM1.
	 */
	outb(PIC_MASTER_COMMAND, PIC_ICW1_INIT);
	outb(PIC_SLAVE_COMMAND, PIC_ICW1_INIT);
	outb(PIC_MASTER_DATA, IRQ_VECTOR_BASE);
	outb(PIC_SLAVE_DATA, IRQ_VECTOR_BASE + 8);
	outb(PIC_MASTER_DATA, 1 << PIC_CASCADE_IRQ);
	outb(PIC_SLAVE_DATA, PIC_CASCADE_IRQ);
	outb(PIC_MASTER_DATA, PIC_ICW4_8086);
	outb(PIC_SLAVE_DATA, PIC_ICW4_8086);
	outb(PIC_MASTER_DATA, (uint8_t) ~(1 << IRQ_TIMER | 1 << IRQ_COM1));
	outb(PIC_SLAVE_DATA, 0xff);
}

void interrupts_init(const struct minivmm_boot_info *boot_info)
{
	if (!(boot_info->platform_flags & MINIVMM_PLATFORM_IRQCHIP))
		return;
	idt_install_irq_gates();
	pic_remap();
	/* Channel 0 in mode 2 divides its 1.193182 MHz input by the count (82C54 datasheet). */
	uint16_t divisor = (uint16_t)((PIT_INPUT_HZ + TIMER_HZ / 2) / TIMER_HZ);
	outb(PIT_MODE_COMMAND, PIT_CH0_RATE_GEN);
	outb(PIT_CHANNEL0, (uint8_t)divisor);
	outb(PIT_CHANNEL0, (uint8_t)(divisor >> 8));
	/* COM1: interrupt on received data (PC16550D IER bit 0), routed out by MCR.OUT2. */
	outb(COM1 + UART_MCR, MCR_DTR_RTS | MCR_OUT2);
	outb(COM1 + UART_IER, IER_RX_DATA);
	tick_hz = TIMER_HZ;
	user_rflags |= RFLAGS_IF;
}

void com1_irq_handler(void);

/* Called by irq_com1_entry: emptying the UART into the input buffer also lowers its interrupt
 * line. */
void com1_irq_handler(void)
{
	serial_receive();
	outb(PIC_MASTER_COMMAND, PIC_EOI);
}

/* Waits for the next interrupt with IF clear before and after (see the top of the file). */
static inline void wait_for_interrupt(void)
{
	__asm__ volatile("sti\n\thlt\n\tcli" ::: "memory");
}

int64_t sys_console_read(uint64_t buf, uint64_t len)
{
	if (!user_buffer_ok(buf, len))
		return -GUEST_EFAULT;
	if (len == 0)
		return 0;
	char *out = (char *)buf;
	if (!tick_hz) /* the --no-irqchip machine: poll LSR, each read a VM exit */
		return (int64_t)serial_read_polled(out, len);
	size_t n;
	while (!(n = serial_read_buffered(out, len)))
		wait_for_interrupt();
	return (int64_t)n;
}

uint64_t sys_ticks(void)
{
	return timer_ticks;
}

uint64_t sys_tick_hz(void)
{
	return tick_hz;
}

/* OCW1 (8259A datasheet): reading the data port gives the interrupt mask, writing sets it. */
static void pic_set_masked(unsigned irq, int masked)
{
	uint16_t port = irq < 8 ? PIC_MASTER_DATA : PIC_SLAVE_DATA;
	uint8_t bit = (uint8_t)(1u << (irq % 8));
	uint8_t mask = inb(port);
	outb(port, masked ? mask | bit : mask & (uint8_t)~bit);
}

/* System calls run with IF clear, so the interrupt handler cannot move the CMOS index between
 * the writes below. Register C is read last: a flag left from before would keep the line up,
 * and an edge-triggered PIC input then never sees the next rise. */
int64_t sys_rtc_periodic(uint64_t rate)
{
	if (!tick_hz || rate > RTC_RATE_MASK)
		return -GUEST_EINVAL;
	uint8_t status_b = cmos_read(RTC_STATUS_B) & (uint8_t)~RTC_B_PIE;
	if (rate) {
		uint8_t status_a = cmos_read(RTC_STATUS_A) & (uint8_t)~RTC_RATE_MASK;
		cmos_write(RTC_STATUS_A, status_a | (uint8_t)rate);
		status_b |= RTC_B_PIE;
		pic_set_masked(PIC_CASCADE_IRQ, 0);
	}
	cmos_write(RTC_STATUS_B, status_b);
	(void)cmos_read(RTC_STATUS_C);
	pic_set_masked(IRQ_RTC, rate == 0);
	return 0;
}

uint64_t sys_rtc_interrupts(void)
{
	return rtc_interrupts;
}

int64_t sys_sleep_ticks(uint64_t ticks)
{
	if (!tick_hz)
		return -GUEST_EINVAL;
	uint64_t end = timer_ticks + ticks;
	while (timer_ticks < end)
		wait_for_interrupt();
	return 0;
}
