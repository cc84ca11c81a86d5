// SPDX-License-Identifier: GPL-2.0
/*
 * The "npf" generic netlink family: what an operator needs to see (the
 * module's version and parameters, every open with its adapter, mode,
 * ring and counters), for npfctl. Read-only: opens are configured through
 * their own file descriptor, by their owner.
 */

#include <linux/npf.h>
#include <linux/pid.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "internal.h"
#include "netlink.h"
#include "stats.h"

static struct genl_family npf_genl_family;

static u32 npf_nl_count_opens(struct net *net)
{
	struct npf_open *o;
	u32 n = 0;

	mutex_lock(&npf_opens_lock);
	list_for_each_entry(o, &npf_opens, node)
		n += net_eq(o->net, net);
	mutex_unlock(&npf_opens_lock);
	return n;
}

static int npf_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &npf_genl_family, 0,
				NPF_CMD_GET_INFO);
	if (!hdr ||
	    nla_put_string(msg, NPF_A_VERSION, NPF_MODULE_VERSION) ||
	    nla_put_u32(msg, NPF_A_API_MAJOR, NPF_VERSION_MAJOR) ||
	    nla_put_u32(msg, NPF_A_API_MINOR, NPF_VERSION_MINOR) ||
	    nla_put_u32(msg, NPF_A_MAX_BUFFER_SIZE,
			READ_ONCE(npf_max_buffer_size)) ||
	    nla_put_u32(msg, NPF_A_OPENS,
			npf_nl_count_opens(genl_info_net(info)))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int npf_nl_put_adapter(struct sk_buff *skb, struct npf_open *o)
{
	struct net_device *dev;
	int ret = 0;

	/* o->dev is cleared, then freed after a grace period. */
	rcu_read_lock();
	dev = READ_ONCE(o->dev);
	if (dev)
		ret = nla_put_u32(skb, NPF_A_OPEN_IFINDEX, dev->ifindex) ?:
		      nla_put_string(skb, NPF_A_OPEN_IFNAME, dev->name);
	rcu_read_unlock();
	if (!ret && READ_ONCE(o->gone))
		ret = nla_put_flag(skb, NPF_A_OPEN_GONE);
	return ret;
}

static int npf_nl_put_counters(struct sk_buff *skb, struct npf_open *o)
{
	static const struct {
		int attr;
		enum npf_stat stat;
	} map[] = {
		{ NPF_A_OPEN_RECV, NPF_STAT_RECV },
		{ NPF_A_OPEN_CAPT, NPF_STAT_CAPT },
		{ NPF_A_OPEN_DROP, NPF_STAT_DROP },
		{ NPF_A_OPEN_FILTER_REJECTS, NPF_STAT_FILTERED },
		{ NPF_A_OPEN_NOMEM, NPF_STAT_NOMEM },
		{ NPF_A_OPEN_SENT, NPF_STAT_SENT },
	};
	struct npf_counts c;
	int i;

	npf_stats_get(o, &c);
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (nla_put_u64_64bit(skb, map[i].attr, c.c[map[i].stat],
				      NPF_A_PAD))
			return -EMSGSIZE;
	return 0;
}

/* Flags are only put when set. */
static int npf_nl_put_flag_if(struct sk_buff *skb, int attr, bool set)
{
	return set ? nla_put_flag(skb, attr) : 0;
}

static int npf_nl_fill_open(struct sk_buff *skb, struct npf_open *o,
			    struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &npf_genl_family, NLM_F_MULTI, NPF_CMD_GET_OPEN);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, NPF_A_OPEN_ID, o->id, NPF_A_PAD) ||
	    nla_put_u32(skb, NPF_A_OPEN_PID, pid_vnr(o->opener)) ||
	    npf_nl_put_adapter(skb, o) ||
	    nla_put_u32(skb, NPF_A_OPEN_MODE,
			READ_ONCE(o->mode) & ~NPF_MODE_PAUSED) ||
	    nla_put_u32(skb, NPF_A_OPEN_BUFSIZE, READ_ONCE(o->ring.size)) ||
	    nla_put_u32(skb, NPF_A_OPEN_BUFUSED, READ_ONCE(o->ring.used)) ||
	    nla_put_u32(skb, NPF_A_OPEN_MINTOCOPY, READ_ONCE(o->min_to_copy)) ||
	    nla_put_u32(skb, NPF_A_OPEN_TIMEOUT, READ_ONCE(o->timeout_ms)) ||
	    npf_nl_put_flag_if(skb, NPF_A_OPEN_FILTERED,
			       rcu_access_pointer(o->filter)) ||
	    npf_nl_put_flag_if(skb, NPF_A_OPEN_PROMISC, READ_ONCE(o->promisc)) ||
	    npf_nl_put_flag_if(skb, NPF_A_OPEN_DUMPING,
			       READ_ONCE(o->dump.file)) ||
	    npf_nl_put_counters(skb, o)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* cb->args[0]: how many opens of this namespace were sent already. */
static int npf_nl_dump_opens(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	long idx = 0, start = cb->args[0];
	struct npf_open *o;

	mutex_lock(&npf_opens_lock);
	list_for_each_entry(o, &npf_opens, node) {
		if (!net_eq(o->net, net))
			continue;
		if (idx >= start && npf_nl_fill_open(skb, o, cb))
			break;
		idx++;
	}
	mutex_unlock(&npf_opens_lock);
	cb->args[0] = idx;
	return skb->len;
}

/*
 * Requests carry no attributes: the commands take nothing but the
 * caller's namespace. Validation is strict (the genetlink default for a
 * family without legacy commands): any attribute, an unknown one
 * included, and a non-zero reserved header field are refused.
 */
static const struct nla_policy npf_nl_policy[NPF_A_MAX + 1] = {
	[0 ... NPF_A_MAX] = { .type = NLA_REJECT },
};

static const struct genl_small_ops npf_genl_ops[] = {
	{
		.cmd = NPF_CMD_GET_INFO,
		.doit = npf_nl_get_info,
	}, {
		.cmd = NPF_CMD_GET_OPEN,
		.dumpit = npf_nl_dump_opens,
		/* Who captures what is the namespace administrator's business. */
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family npf_genl_family __ro_after_init = {
	.small_ops = npf_genl_ops,
	.n_small_ops = ARRAY_SIZE(npf_genl_ops),
	.name = NPF_GENL_NAME,
	.version = NPF_GENL_VERSION,
	.maxattr = NPF_A_MAX,
	.policy = npf_nl_policy,
	.module = THIS_MODULE,
	.netnsok = true,
};

int __init npf_netlink_init(void)
{
	return genl_register_family(&npf_genl_family);
}

void npf_netlink_exit(void)
{
	genl_unregister_family(&npf_genl_family);
}
