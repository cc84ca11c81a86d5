// SPDX-License-Identifier: GPL-2.0
/*
 * Promiscuous mode through OID_GEN_CURRENT_PACKET_FILTER: each open holds
 * at most one promiscuity reference on its adapter (dev_set_promiscuity),
 * dropped when it changes its filter or closes; BIOCQUERYOID answers what
 * was set; malformed requests are refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <net/if.h>
#include <unistd.h>

#include "npf_util.h"
#include "harness.h"

#define IFF_PROMISC_BIT 0x100

FIXTURE(promisc) {
	struct npf_env env;
	int fd;
};

FIXTURE_SETUP(promisc)
{
	self->fd = -1;
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	self->fd = npf_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0U, link_flags_sysfs(IF_A) & IFF_PROMISC_BIT)
		TH_LOG("%s promiscuous before any test", IF_A);
}

FIXTURE_TEARDOWN(promisc)
{
	if (self->fd >= 0)
		close(self->fd);
	env_teardown(&self->env);
}

/* An OID request: the 8-byte head and `len` bytes of data. */
struct oidreq {
	struct npf_oid_data h;
	uint8_t data[64];
};

static int set_oid(int fd, uint32_t oid, const void *data, uint32_t len)
{
	struct oidreq r;

	memset(&r, 0, sizeof(r));
	r.h.oid = oid;
	r.h.length = len;
	memcpy(r.h.data, data, len < sizeof(r.data) ? len : sizeof(r.data));
	return ioctl(fd, BIOCSETOID, &r);
}

static int set_filter(int fd, uint32_t bits)
{
	return set_oid(fd, OID_GEN_CURRENT_PACKET_FILTER, &bits, 4);
}

/* Query: returns the length the kernel wrote, -1 on error. */
static int query_oid(int fd, uint32_t oid, void *data, uint32_t room)
{
	struct oidreq r;

	memset(&r, 0xee, sizeof(r));
	r.h.oid = oid;
	r.h.length = room;
	if (ioctl(fd, BIOCQUERYOID, &r))
		return -1;
	if (r.h.oid != oid || r.h.length > room)
		return -2;
	memcpy(data, r.h.data, r.h.length);
	return (int)r.h.length;
}

static bool promisc(void)
{
	return link_flags_sysfs(IF_A) & IFF_PROMISC_BIT;
}

TEST_F(promisc, set_query_clear_on_close)
{
	uint8_t big[32];
	uint32_t v = 0;

	ASSERT_EQ(0, set_filter(self->fd, NDIS_PACKET_TYPE_PROMISCUOUS))
		TH_LOG("BIOCSETOID: %s", strerror(errno));
	EXPECT_TRUE(promisc());
	ASSERT_EQ(4, query_oid(self->fd, OID_GEN_CURRENT_PACKET_FILTER, &v, 4))
		TH_LOG("BIOCQUERYOID: %s", strerror(errno));
	EXPECT_EQ((uint32_t)NDIS_PACKET_TYPE_PROMISCUOUS, v);
	/* a bigger buffer: length comes back as 4 */
	EXPECT_EQ(4, query_oid(self->fd, OID_GEN_CURRENT_PACKET_FILTER, big,
			       sizeof(big)));
	close(self->fd);
	self->fd = -1;
	EXPECT_FALSE(promisc()) TH_LOG("promiscuity left behind by close");
}

TEST_F(promisc, clear_by_filter_without_promiscuous_bit)
{
	uint32_t v = 0;
	uint32_t normal = NDIS_PACKET_TYPE_DIRECTED |
			  NDIS_PACKET_TYPE_MULTICAST |
			  NDIS_PACKET_TYPE_BROADCAST;

	ASSERT_EQ(0, set_filter(self->fd, NDIS_PACKET_TYPE_PROMISCUOUS |
					  NDIS_PACKET_TYPE_DIRECTED));
	EXPECT_TRUE(promisc());
	ASSERT_EQ(0, set_filter(self->fd, normal));
	EXPECT_FALSE(promisc());
	ASSERT_EQ(4, query_oid(self->fd, OID_GEN_CURRENT_PACKET_FILTER, &v, 4));
	EXPECT_EQ(normal, v);
}

/* Setting it twice on one open is one reference. */
TEST_F(promisc, same_open_counts_once)
{
	ASSERT_EQ(0, set_filter(self->fd, NDIS_PACKET_TYPE_PROMISCUOUS));
	ASSERT_EQ(0, set_filter(self->fd, NDIS_PACKET_TYPE_PROMISCUOUS));
	ASSERT_EQ(0, set_filter(self->fd, NDIS_PACKET_TYPE_PROMISCUOUS |
					  NDIS_PACKET_TYPE_BROADCAST));
	EXPECT_TRUE(promisc());
	ASSERT_EQ(0, set_filter(self->fd, NDIS_PACKET_TYPE_DIRECTED));
	EXPECT_FALSE(promisc()) TH_LOG("one open took several references");
	/* and clearing twice does not underflow someone else's */
	ASSERT_EQ(0, set_filter(self->fd, NDIS_PACKET_TYPE_DIRECTED));
	EXPECT_FALSE(promisc());
}

/* Two opens: the flag stays until the last one lets go. */
TEST_F(promisc, refcounted_across_opens)
{
	int fd2 = npf_open(0);

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, npf_bind(fd2, IF_A));
	ASSERT_EQ(0, set_filter(self->fd, NDIS_PACKET_TYPE_PROMISCUOUS));
	ASSERT_EQ(0, set_filter(fd2, NDIS_PACKET_TYPE_PROMISCUOUS));
	EXPECT_TRUE(promisc());
	close(self->fd);
	self->fd = -1;
	EXPECT_TRUE(promisc()) TH_LOG("cleared while another open wants it");
	close(fd2);
	EXPECT_FALSE(promisc());

	/* the other order, with an explicit clear */
	self->fd = npf_open(0);
	fd2 = npf_open(0);
	ASSERT_LE(0, self->fd);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_bind(fd2, IF_A));
	ASSERT_EQ(0, set_filter(fd2, NDIS_PACKET_TYPE_PROMISCUOUS));
	ASSERT_EQ(0, set_filter(self->fd, NDIS_PACKET_TYPE_PROMISCUOUS));
	ASSERT_EQ(0, set_filter(fd2, NDIS_PACKET_TYPE_DIRECTED));
	EXPECT_TRUE(promisc());
	ASSERT_EQ(0, set_filter(self->fd, NDIS_PACKET_TYPE_DIRECTED));
	EXPECT_FALSE(promisc());
	close(fd2);
}

/* Somebody else's promiscuity (ip link set promisc on) is not ours to
 * drop. */
TEST_F(promisc, foreign_promiscuity_preserved)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	ASSERT_LE(0, s);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, IF_A);
	ASSERT_EQ(0, ioctl(s, SIOCGIFFLAGS, &ifr));
	ifr.ifr_flags |= IFF_PROMISC;
	ASSERT_EQ(0, ioctl(s, SIOCSIFFLAGS, &ifr));
	EXPECT_TRUE(promisc());
	ASSERT_EQ(0, set_filter(self->fd, NDIS_PACKET_TYPE_PROMISCUOUS));
	ASSERT_EQ(0, set_filter(self->fd, NDIS_PACKET_TYPE_DIRECTED));
	EXPECT_TRUE(promisc()) TH_LOG("npf dropped a promiscuity it did not take");
	ASSERT_EQ(0, set_filter(self->fd, NDIS_PACKET_TYPE_PROMISCUOUS));
	close(self->fd);
	self->fd = -1;
	EXPECT_TRUE(promisc());
	ASSERT_EQ(0, ioctl(s, SIOCGIFFLAGS, &ifr));
	ifr.ifr_flags &= ~IFF_PROMISC;
	ASSERT_EQ(0, ioctl(s, SIOCSIFFLAGS, &ifr));
	EXPECT_FALSE(promisc());
	close(s);
}

/* A process that dies without closing releases it too. */
TEST_F(promisc, released_on_exit)
{
	int st;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = npf_open(0);

		if (fd < 0 || npf_bind(fd, IF_A) ||
		    set_filter(fd, NDIS_PACKET_TYPE_PROMISCUOUS))
			_exit(1);
		_exit(promisc() ? 0 : 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(0, WEXITSTATUS(st));
	EXPECT_FALSE(promisc());
}

/* Rebinding moves the reference to the new adapter's... or drops it: in
 * any case the old adapter is no longer promiscuous because of us. */
TEST_F(promisc, rebind_releases_old_adapter)
{
	ASSERT_EQ(0, set_filter(self->fd, NDIS_PACKET_TYPE_PROMISCUOUS));
	EXPECT_TRUE(promisc());
	ASSERT_EQ(0, npf_bind(self->fd, IF_B));
	EXPECT_FALSE(promisc()) TH_LOG("%s still promiscuous after rebinding to %s",
				       IF_A, IF_B);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0U, link_flags_sysfs(IF_B) & IFF_PROMISC_BIT);
}

/* The adapter disappearing while promiscuous: close afterwards is clean. */
TEST_F(promisc, adapter_removed_while_promiscuous)
{
	uint8_t buf[64];

	ASSERT_EQ(0, set_filter(self->fd, NDIS_PACKET_TYPE_PROMISCUOUS));
	EXPECT_TRUE(promisc());
	ASSERT_EQ(0, link_del(IF_B)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	close(self->fd);
	self->fd = -1;
}

TEST_F(promisc, malformed_requests_einval)
{
	struct oidreq r;
	uint32_t v;

	/* data too short for a u32 */
	for (uint32_t len = 0; len < 4; len++) {
		memset(&r, 0, sizeof(r));
		r.h.oid = OID_GEN_CURRENT_PACKET_FILTER;
		r.h.length = len;
		r.h.data[0] = NDIS_PACKET_TYPE_PROMISCUOUS;
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, BIOCSETOID, &r))
			TH_LOG("set with length %u accepted", len);
		EXPECT_EQ(EINVAL, errno) TH_LOG("set, length %u: %s", len,
						strerror(errno));
		errno = 0;
		EXPECT_EQ(-1, query_oid(self->fd, OID_GEN_CURRENT_PACKET_FILTER,
					&v, len))
			TH_LOG("query with length %u accepted", len);
		EXPECT_EQ(EINVAL, errno) TH_LOG("query, length %u: %s", len,
						strerror(errno));
	}
	EXPECT_FALSE(promisc());
	/* longer than any request may be */
	memset(&r, 0, sizeof(r));
	r.h.oid = OID_GEN_CURRENT_PACKET_FILTER;
	r.h.length = NPF_OID_MAXLEN + 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, BIOCSETOID, &r));
	EXPECT_EQ(EINVAL, errno) TH_LOG("length %u: %s", NPF_OID_MAXLEN + 1,
					strerror(errno));
	errno = 0;
	r.h.length = 0xffffffff;
	EXPECT_EQ(-1, ioctl(self->fd, BIOCQUERYOID, &r));
	EXPECT_EQ(EINVAL, errno) TH_LOG("length 0xffffffff: %s",
					strerror(errno));
	EXPECT_FALSE(promisc());
}

/* A few answers we can check against the adapter itself. */
TEST_F(promisc, query_adapter_facts)
{
	uint8_t mac[16];
	uint32_t v = 0xdeadbeef;

	ASSERT_EQ(6, query_oid(self->fd, OID_802_3_CURRENT_ADDRESS, mac,
			       sizeof(mac)))
		TH_LOG("OID_802_3_CURRENT_ADDRESS: %s", strerror(errno));
	EXPECT_EQ(0, memcmp(mac, self->env.mac_a, 6));
	ASSERT_EQ(4, query_oid(self->fd, OID_GEN_MEDIA_CONNECT_STATUS, &v, 4))
		TH_LOG("OID_GEN_MEDIA_CONNECT_STATUS: %s", strerror(errno));
	EXPECT_EQ(0U, v) TH_LOG("both ends up: connected is 0");
	ASSERT_EQ(0, link_set_up(IF_B, false));
	sleep_ms(200);
	ASSERT_EQ(4, query_oid(self->fd, OID_GEN_MEDIA_CONNECT_STATUS, &v, 4));
	EXPECT_EQ(1U, v) TH_LOG("peer down: disconnected is 1");
}

TEST_HARNESS_MAIN
