// SPDX-License-Identifier: GPL-2.0
/* npf_kunit.ko: its own copy of kmod/adapter.c (nothing here is tested directly). */
#include "../adapter.c"
