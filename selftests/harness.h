/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's kselftest harness, included with the one warning its own
 * code trips under -Wextra silenced.
 *
 * Remember: EXPECT_*() and ASSERT_*() expand to more than one statement, so
 * the body of a for/if/while using them always takes braces.
 */
#ifndef NPF_SELFTEST_HARNESS_H
#define NPF_SELFTEST_HARNESS_H
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#endif
