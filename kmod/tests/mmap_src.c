// SPDX-License-Identifier: GPL-2.0
/* npf_kunit.ko: its own copy of kmod/mmap.c (BIOCMMAPNEXT: dev_test.c). */
#include "../mmap.c"
