/* SPDX-License-Identifier: MIT */
#ifndef PC_CHECK_PCI_H
#define PC_CHECK_PCI_H

/* Enumerates PCI bus 0 through configuration mechanism #1 and reports what it finds. */
void pci_check(void);

#endif
