# SPDX-License-Identifier: GPL-2.0
#
# npf: WinPcap's NPF device model for Linux.
#
#   make               module (kmod/npf.ko), libnpf, tools, selftests
#   make check         the test suite, in a VM when this kernel cannot load modules
#   make demo          build, boot the VM and show a live capture with npfdump
#   make install       DESTDIR= and PREFIX= honoured
#
# KDIR= picks the kernel tree; the default is the running kernel's, or the
# newest installed one when the running kernel has no headers.

PREFIX	?= /usr/local
DESTDIR	?=
KDIR	?= $(shell scripts/kdir.sh)
BUILD	:= $(CURDIR)/build

# KDIR is not exported: a sub-make run after `deps` installed the kernel
# headers must compute it afresh (command-line values still propagate).
export PREFIX DESTDIR BUILD

.PHONY: all module lib tools selftests check check-debug kunit demo bench deps install \
	install-module install-lib install-tools clean checkpatch sparse

all: module lib tools selftests

module:
	@test -n "$(KDIR)" || { echo "no kernel build tree: install linux-headers or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

lib:
	$(MAKE) -C libnpf

tools: lib
	$(MAKE) -C tools

selftests: lib
	$(MAKE) -C selftests

# Installs what the targets below need (Debian packages); a no-op when
# everything is there already.
deps:
	scripts/deps.sh

check: deps
	$(MAKE) all
	scripts/check.sh

# The KUnit suites alone, on the debug kernel (part of make check).
kunit: deps
	scripts/kernel/kunit.sh

# Every selftest on the debug kernel (KASAN, lockdep, kmemleak, failslab,
# panic_on_warn; part 4 of make check).
check-debug: deps
	$(MAKE) all
	scripts/kernel/selftests-debug.sh

demo: deps
	$(MAKE) all
	scripts/demo.sh

bench: deps
	$(MAKE) all
	scripts/bench.sh

checkpatch:
	scripts/lint.sh checkpatch

sparse:
	scripts/lint.sh sparse

install: install-module install-lib install-tools

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) modules_install
	@if [ -z "$(DESTDIR)" ]; then depmod -a $$(basename $$(dirname $(KDIR))); \
	else depmod -b $(DESTDIR) $$(basename $$(dirname $(KDIR))) 2>/dev/null || true; fi
	install -D -m 0644 uapi/linux/npf.h $(DESTDIR)$(PREFIX)/include/linux/npf.h

install-lib: lib
	$(MAKE) -C libnpf install

install-tools: tools
	$(MAKE) -C tools install

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C libnpf clean
	$(MAKE) -C tools clean
	$(MAKE) -C selftests clean
