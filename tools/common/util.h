/* SPDX-License-Identifier: GPL-2.0 */
/*
 * util.h - helpers every npf tool shares: error reporting in one line,
 * option argument parsing, the command-line filter expression, the
 * capture statistics, opening an adapter with a clear message.
 */
#ifndef NPF_TOOLS_UTIL_H
#define NPF_TOOLS_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap.h>	/* before Packet32.h: see there */
#include <Packet32.h>

/* The name errors are prefixed with ("npfdump"); set by main(). */
extern const char *tool_name;

/* "NAME: message\n" on stderr, then exit(1). */
void tool_die(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

/*
 * --version: the tool's, libnpf's and the loaded module's versions, and
 * libpcap's when @with_pcap.
 */
void tool_print_version(bool with_pcap);

/*
 * getopt's complaint in one line and exit 1: @arg is the word that held
 * the bad option, optopt the short option (0 for a long one), @missing
 * whether its argument was missing.
 */
void tool_bad_option(const char *arg, bool missing)
	__attribute__((noreturn));

/* "NAME: WARNING: message\n" on stderr, as tcpdump warns. */
void tool_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Parse a whole decimal (or 0x hex) integer in [min, max]: 0, or -1 with
 * errno EINVAL (not a number) or ERANGE (out of range).
 */
int tool_parse_long(const char *s, long min, long max, long *out);

/* The same, dying with "invalid WHAT 'S'" on error. */
long tool_opt_long(const char *s, const char *what, long min, long max);

/*
 * The filter expression: the words left on the command line joined with
 * single spaces, as tcpdump's copy_argv() does; "" when there are none.
 * Dies when out of memory. Free with free().
 */
char *tool_join_args(int argc, char *const argv[]);

/*
 * PacketOpenAdapter() or die with a message naming the cause: module not
 * loaded, no permission, no such interface, link type not capturable.
 */
LPADAPTER tool_open_adapter(const char *ifname);

/* The message tool_open_adapter() dies with for errno @err. */
const char *tool_open_error(const char *ifname, int err, char *buf,
			    size_t size);

/*
 * The signal that asked the tool to stop (SIGINT, SIGTERM, SIGHUP, or
 * SIGPIPE when a write raised it); 0 until one came.
 */
extern volatile sig_atomic_t tool_stop_signal;

/*
 * Catch the stop signals, without SA_RESTART, into tool_stop_signal: as
 * tcpdump, SIGINT and SIGTERM always (a shell starts background jobs with
 * SIGINT ignored, and "tool & kill -INT $!" must work), SIGHUP only when
 * not ignored (nohup), and SIGPIPE.
 * With @waitmask, SIGINT, SIGTERM and SIGHUP are also blocked and
 * *@waitmask is the mask to ppoll() with: a signal then always ends the
 * wait and never lands between a check of tool_stop_signal and the wait.
 * Without, they interrupt whatever system call is running (EINTR): a long
 * BIOCSWRITEREP write or send queue ends at once.
 */
void tool_catch_stop_signals(sigset_t *waitmask);

/*
 * tcpdump's closing statistics: "N packets captured", "N packets received
 * by filter", "N packets dropped by kernel", and "N packets dropped by
 * interface" when that is not 0, one per line, singular for 1.
 * @captured is what the tool processed; "received by filter" is what the
 * filter accepted (bs_capt + bs_drop), the meaning libpcap gives ps_recv
 * on Linux; "dropped by kernel" is bs_drop (the ring was full) and
 * "dropped by interface" is ps_ifdrop.
 */
void tool_print_stats(FILE *out, uint64_t captured, const struct bpf_stat *st);

/*
 * tcpdump -D's flags of an adapter (PacketGetAdapterFlags): "Up, Running,
 * Loopback", "Up, Running, Connected", "none, Disconnected"; "" when there
 * is nothing to say (tcpdump then prints no brackets).
 */
const char *tool_format_if_flags(unsigned long flags, char *buf, size_t size);

/*
 * tcpdump -D: "1.eth0 (e1000e 0000:00:19.0) [Up, Running, Connected]", one
 * adapter a line, as PacketGetAdapterNames() lists them. 0, or -1 and
 * errno.
 */
int tool_print_adapters(FILE *out);

#endif /* NPF_TOOLS_UTIL_H */
