// SPDX-License-Identifier: MIT
/*
 * The adapter functions against this machine's own network namespace
 * (rtnetlink, no npf module needed): the loopback adapter is always
 * there. Skipped where netlink sockets are not allowed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "internal.h"
#include "t.h"

static int have_netlink(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* The names and descriptions, or NULL; *@size is the list's size. */
static char *adapter_list(ULONG *size)
{
	char *buf;

	*size = 0;
	if (PacketGetAdapterNames(NULL, size) || errno != ENOBUFS)
		return NULL;
	buf = malloc(*size + 16);
	if (!buf)
		return NULL;
	memset(buf, 'x', *size + 16);
	if (!PacketGetAdapterNames(buf, size)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The description of @name in a list, or NULL. */
static const char *description_of(const char *list, const char *name)
{
	const char *n, *d = list;
	int i = 0, j;

	while (*d)
		d += strlen(d) + 1;
	d++;
	for (n = list; *n; n += strlen(n) + 1, i++)
		if (!strcmp(n, name))
			break;
	if (!*n)
		return NULL;
	for (j = 0; j < i && *d; j++)
		d += strlen(d) + 1;
	return *d ? d : NULL;
}

static void names_list_loopback(void)
{
	const char *desc;
	ULONG size;
	char *buf;

	if (!have_netlink())
		SKIP("no netlink sockets here");
	buf = adapter_list(&size);
	CHECK(buf != NULL);
	if (!buf)
		return;
	CHECK(size >= sizeof("lo\0\0loopback\0"));
	CHECK(!buf[size - 1] && !buf[size - 2]);
	CHECK(buf[size] == 'x');		/* written: exactly size */
	desc = description_of(buf, "lo");
	/* "loopback", unless this machine gave lo an alias */
	CHECK(desc && desc[0]);
	free(buf);
}

/* Too small: FALSE, ENOBUFS, the size, and not one byte written. */
static void names_buffer_too_small(void)
{
	ULONG size, small;
	char *buf;

	if (!have_netlink())
		SKIP("no netlink sockets here");
	buf = adapter_list(&size);
	CHECK(buf != NULL);
	if (!buf)
		return;
	memset(buf, 'x', size);
	small = size - 1;
	CHECK_ERR(PacketGetAdapterNames(buf, &small), FALSE, ENOBUFS);
	CHECK(small == size);
	CHECK(buf[0] == 'x' && buf[size - 2] == 'x');
	small = 0;
	CHECK_ERR(PacketGetAdapterNames(buf, &small), FALSE, ENOBUFS);
	CHECK(small == size && buf[0] == 'x');
	CHECK_ERR(PacketGetAdapterNames(buf, NULL), FALSE, EINVAL);
	free(buf);
}

static int is_loopback_addr(const npf_if_addr *a)
{
	const struct sockaddr_in *sin = (const void *)&a->IPAddress;
	const struct sockaddr_in6 *sin6 = (const void *)&a->IPAddress;

	if (a->IPAddress.ss_family == AF_INET)
		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	return a->IPAddress.ss_family == AF_INET6 &&
	       IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
}

static void netinfo_loopback(void)
{
	npf_if_addr a[MAX_NETWORK_ADDRESSES];
	LONG i, n = MAX_NETWORK_ADDRESSES, one = 1;

	if (!have_netlink())
		SKIP("no netlink sockets here");
	CHECK(PacketGetNetInfoEx("lo", a, &n));
	CHECK(n >= 0 && n <= MAX_NETWORK_ADDRESSES);
	for (i = 0; i < n; i++)
		CHECK(is_loopback_addr(&a[i]));
	/* Room for one: at most one, no error. */
	CHECK(PacketGetNetInfoEx("\\Device\\NPF_lo", a, &one));
	CHECK(one == (n ? 1 : 0));
	/* Room for none. */
	one = 0;
	CHECK(PacketGetNetInfoEx("lo", NULL, &one) && one == 0);
}

static void netinfo_errors(void)
{
	npf_if_addr a[2];
	LONG n = 2;

	if (!have_netlink())
		SKIP("no netlink sockets here");
	CHECK_ERR(PacketGetNetInfoEx("npf-no-such0", a, &n), FALSE, ENODEV);
	CHECK(n == 0);
	n = -1;
	CHECK_ERR(PacketGetNetInfoEx("lo", a, &n), FALSE, EINVAL);
	CHECK(n == 0);
	n = 2;
	CHECK_ERR(PacketGetNetInfoEx("lo", NULL, &n), FALSE, EINVAL);
	CHECK_ERR(PacketGetNetInfoEx("lo", a, NULL), FALSE, EINVAL);
	n = 2;
	CHECK_ERR(PacketGetNetInfoEx(NULL, a, &n), FALSE, EINVAL);
	n = 2;
	CHECK_ERR(PacketGetNetInfoEx("a-very-long-interface-name", a, &n),
		  FALSE, ENAMETOOLONG);
}

static void loopback_flags(void)
{
	ULONG f = 0;

	if (!have_netlink())
		SKIP("no netlink sockets here");
	CHECK(PacketGetAdapterFlags("lo", &f));
	CHECK(f & PACKET_IF_LOOPBACK);
	CHECK((f & PACKET_IF_CONNECTION_STATUS) ==
	      PACKET_IF_CONNECTION_STATUS_NOT_APPLICABLE);
	CHECK_ERR(PacketGetAdapterFlags("npf-no-such0", &f), FALSE, ENODEV);
	CHECK_ERR(PacketGetAdapterFlags("lo", NULL), FALSE, EINVAL);

	errno = 0;
	CHECK(PacketIsLoopbackAdapter("lo") && errno == 0);
	CHECK(PacketIsLoopbackAdapter("\\\\.\\NPF_lo") && errno == 0);
	CHECK_ERR(PacketIsLoopbackAdapter("npf-no-such0"), FALSE, ENODEV);
	CHECK_ERR(PacketIsLoopbackAdapter(NULL), FALSE, EINVAL);
}

const struct t_case host_cases[] = {
	T_CASE(names_list_loopback),
	T_CASE(names_buffer_too_small),
	T_CASE(netinfo_loopback),
	T_CASE(netinfo_errors),
	T_CASE(loopback_flags),
	T_END
};
