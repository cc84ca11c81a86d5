// SPDX-License-Identifier: GPL-2.0
/* npf_kunit.ko: its own copy of kmod/oid.c (nothing here is tested directly). */
#include "../oid.c"
