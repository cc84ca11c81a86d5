// SPDX-License-Identifier: MIT
/* struct bpf_program (pointer-bearing) to the kernel's struct npf_program. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"
#include "t.h"

static void insn_layout_is_sock_filter(void)
{
	CHECK(sizeof(struct bpf_insn) == 8);
	CHECK(offsetof(struct bpf_insn, code) == offsetof(struct sock_filter, code));
	CHECK(offsetof(struct bpf_insn, jt) == offsetof(struct sock_filter, jt));
	CHECK(offsetof(struct bpf_insn, jf) == offsetof(struct sock_filter, jf));
	CHECK(offsetof(struct bpf_insn, k) == offsetof(struct sock_filter, k));
	CHECK(sizeof(struct npf_program) == 16);
}

static void program_converted(void)
{
	/* "ret #262144": libpcap's program for an empty expression. */
	struct bpf_insn insns[] = {
		{ BPF_RET | BPF_K, 0, 0, 262144 },
	};
	struct bpf_program fp = { 1, insns };
	struct npf_program np;

	memset(&np, 0xff, sizeof(np));
	CHECK(npf_program_from_bpf(&np, &fp) == 0);
	CHECK(np.bf_len == 1);
	CHECK(np.bf_pad == 0);
	CHECK(np.bf_insns == (uintptr_t)insns);
	CHECK(((struct sock_filter *)(uintptr_t)np.bf_insns)[0].k == 262144);
}

static void empty_program_removes_filter(void)
{
	struct bpf_program fp = { 0, NULL };
	struct npf_program np;

	memset(&np, 0xff, sizeof(np));
	CHECK(npf_program_from_bpf(&np, &fp) == 0);
	CHECK(np.bf_len == 0 && np.bf_pad == 0 && np.bf_insns == 0);
}

static void bad_program_einval(void)
{
	struct bpf_program fp = { 3, NULL };
	struct npf_program np;

	CHECK_ERR(npf_program_from_bpf(&np, &fp), -1, EINVAL);
	CHECK_ERR(npf_program_from_bpf(&np, NULL), -1, EINVAL);
	CHECK_ERR(npf_program_from_bpf(NULL, &fp), -1, EINVAL);
}

const struct t_case bpf_cases[] = {
	T_CASE(insn_layout_is_sock_filter),
	T_CASE(program_converted),
	T_CASE(empty_program_removes_filter),
	T_CASE(bad_program_einval),
	T_END
};
